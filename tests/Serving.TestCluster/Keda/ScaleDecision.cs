namespace Serving.TestCluster.Keda;

/// <summary>
/// KEDA's <c>RequestScale</c> (<c>pkg/scaling/executor/scale_scaledobjects.go</c>) as a decision: what the operator writes
/// to the scale subresource after a poll or a push, from the trigger's activity and errors, the replicas now, and the
/// last time it was active. KEDA alone moves replicas between zero (or idle) and the HPA's range; the HPA does the rest.
/// </summary>
public static class ScaleDecision
{
    /// <summary>The outcome: replicas to write (null: none) and the last active time from now on.</summary>
    public readonly record struct Outcome(int? Replicas, DateTimeOffset? LastActive, string Reason);

    public static Outcome Decide(ScaledObjectSpec spec, int current, bool active, bool error, DateTimeOffset? lastActive, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (active)
        {
            // Active: from zero (or below the floor in idle mode) to minReplicaCount, or 1; otherwise only remember it.
            bool fromIdle = spec.IdleReplicas is not null && current < spec.MinReplicas;
            return current == 0 || fromIdle
                ? new Outcome(spec.MinReplicas > 0 ? spec.MinReplicas : 1, now, "scaled from zero")
                : new Outcome(null, now, "active");
        }

        if (error)
        {
            return new Outcome(null, lastActive, "a trigger failed: no scale down"); // never to zero on a scaler's error
        }

        bool aboveIdle = spec.IdleReplicas is { } idle ? current > idle : current > 0 && spec.MinReplicas == 0;
        if (aboveIdle)
        {
            bool cooled = lastActive is { } last
                ? last + spec.CooldownPeriod < now
                : spec.Created + spec.InitialCooldownPeriod < now;
            return cooled
                ? new Outcome(spec.IdleReplicas ?? spec.MinReplicas, lastActive, "cooldown over")
                : new Outcome(null, lastActive, "cooling down");
        }

        return spec.IdleReplicas is null && current < spec.MinReplicas
            ? new Outcome(spec.MinReplicas, lastActive, "below minReplicaCount")
            : new Outcome(null, lastActive, "inactive");
    }
}
