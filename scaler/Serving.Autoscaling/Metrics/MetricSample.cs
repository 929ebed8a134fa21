namespace Serving.Autoscaling.Metrics;

/// <summary>
/// One reading of a revision's load, summed over every gateway replica by the caller.
/// </summary>
/// <param name="Time">When it was read.</param>
/// <param name="Concurrency">Requests in flight or held by the activator at that moment.</param>
/// <param name="Arrivals">Requests admitted so far (monotonic; rates come from differences between readings).</param>
public readonly record struct MetricSample(DateTimeOffset Time, double Concurrency, long Arrivals);
