using Serving.Autoscaling.Configuration;

namespace Serving.Autoscaling.Metrics;

/// <summary>
/// A revision's windowed load at one moment: what the KPA decides from and what the KEDA scaler reports. Values are
/// totals for the revision (not per replica).
/// </summary>
public readonly record struct MetricSnapshot(
    DateTimeOffset Time,
    double StableConcurrency,
    double PanicConcurrency,
    double StableRps,
    double PanicRps,
    double CurrentConcurrency,
    DateTimeOffset? LastArrival)
{
    public double Stable(ScaleMetric metric) => metric == ScaleMetric.Rps ? StableRps : StableConcurrency;

    public double Panic(ScaleMetric metric) => metric == ScaleMetric.Rps ? PanicRps : PanicConcurrency;

    /// <summary>
    /// A latch, not a point sample: a request in flight or held now, or one that arrived less than
    /// <paramref name="gracePeriod"/> ago, so that short requests falling between polls still keep a revision alive.
    /// </summary>
    public bool IsActive(TimeSpan gracePeriod) =>
        CurrentConcurrency > 0 || (LastArrival is { } arrival && Time - arrival < gracePeriod);
}
