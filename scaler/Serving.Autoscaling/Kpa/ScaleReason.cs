namespace Serving.Autoscaling.Kpa;

/// <summary>The rule that settled a decision's replica count (for logs, metrics and tests).</summary>
public enum ScaleReason
{
    /// <summary>The stable window's average over the target.</summary>
    Stable,

    /// <summary>Panic mode: the larger of both windows, never lower than earlier in the same panic.</summary>
    Panic,

    /// <summary>Capped at <c>max-scale-up-rate</c> x ready replicas.</summary>
    ScaleUpRate,

    /// <summary>Held at ready replicas / <c>max-scale-down-rate</c>.</summary>
    ScaleDownRate,

    /// <summary>Raised to <c>min-scale</c>.</summary>
    MinScale,

    /// <summary>Capped at <c>max-scale</c>.</summary>
    MaxScale,

    /// <summary>A new revision gets <c>initial-scale</c> until that many replicas have been ready.</summary>
    InitialScale,

    /// <summary>A request is in flight or held, or arrived within the grace period: at least one replica.</summary>
    Activity,

    /// <summary>Raised to <c>activation-scale</c>.</summary>
    ActivationScale,

    /// <summary>Nothing is wanted, but the last replica stays until the grace (or retention) period and a stable window of activity have passed.</summary>
    ScaleToZeroPending,

    /// <summary>No replica.</summary>
    Zero,
}
