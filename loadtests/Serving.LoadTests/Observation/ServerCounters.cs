namespace Serving.LoadTests.Observation;

/// <summary>The runtime's cumulative <c>/metrics</c> counters that explain a cell, read at one moment.</summary>
internal sealed record ServerCounters(
    double Runs,
    double Rows,
    double RunSeconds,
    double BatchWaitSeconds,
    double BatchWaitCount,
    double Requests,
    double Requests5xx,
    double RequestSeconds)
{
    public static ServerCounters From(PrometheusText metrics) => new(
        metrics.Sum("runtime_batch_size_count"),
        metrics.Sum("runtime_batch_size_sum"),
        metrics.Sum("runtime_inference_duration_seconds_sum"),
        metrics.Sum("runtime_batch_wait_seconds_sum"),
        metrics.Sum("runtime_batch_wait_seconds_count"),
        metrics.Sum("runtime_requests_total"),
        metrics.Sum("runtime_requests_total", "code=\"5"),
        metrics.Sum("runtime_request_duration_seconds_sum"));

    public static ServerWindow Between(ServerCounters before, ServerCounters after, double seconds)
    {
        double runs = after.Runs - before.Runs;
        double requests = after.Requests - before.Requests;
        double waits = after.BatchWaitCount - before.BatchWaitCount;
        return new ServerWindow(
            RowsPerRun: runs > 0 ? (after.Rows - before.Rows) / runs : double.NaN,
            RunsPerSecond: runs / seconds,
            RunBusy: (after.RunSeconds - before.RunSeconds) / seconds,
            RunMs: runs > 0 ? (after.RunSeconds - before.RunSeconds) * 1000 / runs : double.NaN,
            BatchWaitMs: waits > 0 ? (after.BatchWaitSeconds - before.BatchWaitSeconds) * 1000 / waits : double.NaN,
            RequestMs: requests > 0 ? (after.RequestSeconds - before.RequestSeconds) * 1000 / requests : double.NaN,
            // Only 5xx: a 4xx that reached wrk is counted by post.lua, and wrk closing its connections at the end of a run
            // leaves a few 499s (or 400s, when the close cuts a body short) that no client ever sees.
            ServerErrors: after.Requests5xx - before.Requests5xx);
    }
}
