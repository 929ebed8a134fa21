using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Metrics;

namespace Serving.Autoscaling.Kpa;

/// <summary>
/// Knative's KPA decision (<c>reference/autoscaling.md</c> §3.4: the decider's <c>Scale</c>, then the KPA scaler's
/// bounds, initial scale and scale-to-zero), as a pure function. Callers decide when to call it: Knative ticks every
/// 2 s and at once when a request finds a revision at zero.
/// </summary>
public static class KpaDecider
{
    /// <param name="config">The revision's settings.</param>
    /// <param name="state">The previous decision's <see cref="ScaleDecision.State"/>, or <see cref="ScalerState.Initial"/>.</param>
    /// <param name="metrics">The revision's windows at the moment of the decision (<see cref="MetricSnapshot.Time"/> is "now").</param>
    /// <param name="readyReplicas">Replicas ready to serve now; rate limits are relative to them.</param>
    public static ScaleDecision Decide(AutoscalingConfig config, ScalerState state, MetricSnapshot metrics, int readyReplicas)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(state);
        var now = metrics.Time;
        int ready = Math.Max(0, readyReplicas);
        double readyPods = Math.Max(1, ready);

        double stable = metrics.Stable(config.Metric);
        double panic = metrics.Panic(config.Metric);
        double stableWanted = Replicas(stable, config.TargetPerReplica);
        double panicWanted = Replicas(panic, config.TargetPerReplica);

        // One decision moves at most from ready/down-rate to ready x up-rate.
        double maxUp = Math.Ceiling(config.MaxScaleUpRate * readyPods);
        double maxDown = Math.Floor(readyPods / config.MaxScaleDownRate);
        var (replicas, reason) = Limit(stableWanted, maxDown, maxUp);
        var (panicReplicas, _) = Limit(panicWanted, maxDown, maxUp);

        var panicAt = state.PanicTriggeredAt;
        int panicMax = state.PanicReplicas;
        if (state.Replicas is null && ready > 1)
        {
            // No history (a restart): hold what runs until the windows refill rather than scale down on empty ones.
            panicAt = now;
            panicMax = ready;
        }

        if (panicWanted / readyPods >= config.PanicThreshold)
        {
            panicAt = now;
        }
        else if (panicAt is { } at && now - at >= config.StableWindow)
        {
            panicAt = null;
            panicMax = 0;
        }

        if (panicAt is not null)
        {
            // Never scale down while panicking; the stable window may briefly want more than the panic one.
            panicMax = Math.Max(panicMax, Math.Max(replicas, panicReplicas));
            replicas = panicMax;
            reason = ScaleReason.Panic;
        }

        if (replicas < config.MinScale)
        {
            (replicas, reason) = (config.MinScale, ScaleReason.MinScale);
        }

        if (config.MaxScale > 0 && replicas > config.MaxScale)
        {
            (replicas, reason) = (config.MaxScale, ScaleReason.MaxScale);
        }

        var idleSince = replicas == 0 ? state.IdleSince ?? now : (DateTimeOffset?)null;

        bool initialReached = state.InitialScaleReached || ready >= config.InitialScale;
        if (!initialReached && replicas < config.InitialScale)
        {
            (replicas, reason) = (Cap(config, config.InitialScale), ScaleReason.InitialScale);
        }

        bool active = metrics.IsActive(config.ScaleToZeroGracePeriod);
        if (active && replicas == 0)
        {
            // A request is waiting or just came: zero is never the answer, and from zero this is the activation.
            (replicas, reason) = (1, ScaleReason.Activity);
        }

        if (replicas > 0 && replicas < config.ActivationScale)
        {
            (replicas, reason) = (Cap(config, config.ActivationScale), ScaleReason.ActivationScale);
        }

        int previous = state.Replicas ?? ready;
        if (replicas == 0 && previous > 0)
        {
            // The last replica goes only after the grace period with nothing wanted and after a stable window of being
            // active, so that a freshly activated revision is not dropped before its windows mean anything.
            bool graceOver = now - idleSince >= config.ScaleToZeroDelay;
            bool settled = now - (state.ActiveSince ?? now) >= config.StableWindow;
            if (!(graceOver && settled))
            {
                (replicas, reason) = (1, ScaleReason.ScaleToZeroPending);
            }
        }

        if (replicas == 0)
        {
            reason = ScaleReason.Zero;
        }

        var next = new ScalerState
        {
            Replicas = replicas,
            PanicTriggeredAt = panicAt,
            PanicReplicas = panicMax,
            InitialScaleReached = initialReached,
            ActiveSince = replicas == 0 ? null : state.ActiveSince ?? now,
            IdleSince = idleSince,
        };
        return new ScaleDecision(replicas, reason, next, stable, panic, ToInt(stableWanted), ToInt(panicWanted), active);
    }

    // Averages of exact multiples of the target carry floating-point noise; it must not add a replica.
    private static double Replicas(double load, double target) => Math.Max(0, Math.Ceiling((load / target) - 1e-9));

    private static (int Replicas, ScaleReason Reason) Limit(double wanted, double maxDown, double maxUp) =>
        wanted > maxUp ? (ToInt(maxUp), ScaleReason.ScaleUpRate)
        : wanted < maxDown ? (ToInt(maxDown), ScaleReason.ScaleDownRate)
        : (ToInt(wanted), ScaleReason.Stable);

    private static int Cap(AutoscalingConfig config, int replicas) =>
        config.MaxScale > 0 ? Math.Min(replicas, config.MaxScale) : replicas;

    private static int ToInt(double value) => value >= int.MaxValue ? int.MaxValue : (int)value;
}
