namespace Serving.Autoscaling.Kpa;

/// <summary>One KPA decision for a revision and the state to pass to the next one.</summary>
/// <param name="Replicas">Replicas the revision should have.</param>
/// <param name="Reason">The rule that settled <paramref name="Replicas"/>.</param>
/// <param name="State">The state for the next decision.</param>
/// <param name="StableValue">Stable-window average of the scaling metric (total for the revision).</param>
/// <param name="PanicValue">Panic-window average of the scaling metric (total for the revision).</param>
/// <param name="StableReplicas">ceil(stable / target per replica), before any limit.</param>
/// <param name="PanicReplicas">ceil(panic / target per replica), before any limit.</param>
/// <param name="IsActive">The activity latch at decision time.</param>
public sealed record ScaleDecision(
    int Replicas,
    ScaleReason Reason,
    ScalerState State,
    double StableValue,
    double PanicValue,
    int StableReplicas,
    int PanicReplicas,
    bool IsActive)
{
    public bool Panicking => State.Panicking;
}
