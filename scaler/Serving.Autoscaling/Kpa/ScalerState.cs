namespace Serving.Autoscaling.Kpa;

/// <summary>
/// What the KPA remembers between decisions for one revision. Immutable: each decision returns the next state, so a
/// decision is a pure function of (config, state, metrics, ready replicas, time).
/// </summary>
public sealed record ScalerState
{
    /// <summary>A revision nobody has decided for yet.</summary>
    public static ScalerState Initial { get; } = new();

    /// <summary>The last decision's replica count; null before the first decision.</summary>
    public int? Replicas { get; init; }

    /// <summary>The last time the panic window's load crossed the threshold; null when not panicking.</summary>
    public DateTimeOffset? PanicTriggeredAt { get; init; }

    /// <summary>The most replicas wanted during this panic: panic mode only ratchets up.</summary>
    public int PanicReplicas { get; init; }

    /// <summary>Once the revision has had <c>initial-scale</c> ready replicas, metrics alone decide.</summary>
    public bool InitialScaleReached { get; init; }

    /// <summary>Since when the revision has had replicas wanted (null while at zero).</summary>
    public DateTimeOffset? ActiveSince { get; init; }

    /// <summary>Since when the metrics have wanted no replica at all (null while they want some).</summary>
    public DateTimeOffset? IdleSince { get; init; }

    public bool Panicking => PanicTriggeredAt is not null;
}
