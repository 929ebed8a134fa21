namespace Serving.Autoscaling.Configuration;

/// <summary>What a revision scales on (KServe <c>scaleMetric</c>, Knative <c>autoscaling.knative.dev/metric</c>).</summary>
public enum ScaleMetric
{
    /// <summary>Requests in flight or held, summed over the revision.</summary>
    Concurrency,

    /// <summary>Requests arriving per second, summed over the revision.</summary>
    Rps,
}
