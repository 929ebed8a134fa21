using HdrHistogram;
using Serving.LoadTests.Scenarios.Load;

namespace Serving.LoadTests.Reporting;

/// <summary>What a set of requests came to: sent, answered by status, lost, latency percentiles (HdrHistogram, µs).</summary>
internal sealed record RequestSummary(int Sent, int Ok, int ClientErrors, IReadOnlyDictionary<short, int> ByStatus, double P50Ms, double P99Ms, double MaxMs)
{
    /// <summary>Sent minus answered 2xx, less the client's own errors (4xx), which are counted apart.</summary>
    public int Lost => Sent - Ok - ClientErrors;

    public string Errors => ByStatus.Count(s => s.Key is < 200 or >= 300) == 0
        ? "none"
        : string.Join(", ", ByStatus.Where(s => s.Key is < 200 or >= 300).OrderBy(s => s.Key).Select(s => $"{s.Value} × {Outcome.Name(s.Key)}"));
}

internal static class ScenarioStats
{
    public static RequestSummary Summarize(IEnumerable<RequestRecord> records)
    {
        var list = records as IReadOnlyCollection<RequestRecord> ?? [.. records];
        var ok = list.Where(r => r.IsSuccess).Select(r => (long)r.LatencyUs).ToList();
        var histogram = Histogram(ok);
        return new RequestSummary(
            list.Count,
            ok.Count,
            list.Count(r => r.IsClientError),
            list.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count()),
            ok.Count == 0 ? double.NaN : histogram.GetValueAtPercentile(50) / 1000.0,
            ok.Count == 0 ? double.NaN : histogram.GetValueAtPercentile(99) / 1000.0,
            ok.Count == 0 ? double.NaN : histogram.GetMaxValue() / 1000.0);
    }

    /// <summary>The <paramref name="percentile"/> of latencies in µs, in ms; NaN for none.</summary>
    public static double Percentile(IReadOnlyCollection<long> latenciesUs, double percentile) =>
        latenciesUs.Count == 0 ? double.NaN : Histogram(latenciesUs).GetValueAtPercentile(percentile) / 1000.0;

    public static string Ms(double ms) => Format.N(ms, ms < 10 ? "0.00" : ms < 1000 ? "0.0" : "0");

    /// <summary>Requests sent in [start, end) seconds of the run.</summary>
    public static IEnumerable<RequestRecord> SentBetween(IEnumerable<RequestRecord> records, double start, double end) =>
        records.Where(r => r.StartUs >= start * 1e6 && r.StartUs < end * 1e6);

    private static LongHistogram Histogram(IEnumerable<long> valuesUs)
    {
        var histogram = new LongHistogram(3_600_000_000L, 3); // µs, up to an hour
        foreach (long value in valuesUs)
        {
            histogram.RecordValue(Math.Max(1, value));
        }

        return histogram;
    }
}
