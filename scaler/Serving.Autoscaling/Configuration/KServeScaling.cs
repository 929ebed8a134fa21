namespace Serving.Autoscaling.Configuration;

/// <summary>
/// The scaling fields of a KServe component (<c>ComponentExtensionSpec</c>), as written in the manifest. Kept as plain
/// values so that this library does not depend on the controller's CRD types.
/// </summary>
public sealed record KServeScaling
{
    /// <summary><c>minReplicas</c>; KServe's default when absent is 1.</summary>
    public int? MinReplicas { get; init; }

    /// <summary><c>maxReplicas</c>; 0 = unbounded.</summary>
    public int MaxReplicas { get; init; }

    /// <summary><c>scaleTarget</c>: concurrency or requests per second per replica.</summary>
    public int? ScaleTarget { get; init; }

    /// <summary><c>scaleMetric</c> as written (<c>concurrency</c>, <c>rps</c>; <c>cpu</c> and <c>memory</c> are rejected).</summary>
    public string? ScaleMetric { get; init; }

    /// <summary><c>containerConcurrency</c>: the hard per-replica limit; 0 or absent = none.</summary>
    public long? ContainerConcurrency { get; init; }
}
