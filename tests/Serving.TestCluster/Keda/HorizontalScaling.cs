namespace Serving.TestCluster.Keda;

/// <summary>
/// The arithmetic of kube-controller-manager's HPA controller for the HPA KEDA creates for one ScaledObject
/// (<c>pkg/controller/podautoscaler/horizontal.go</c>, <c>replica_calculator.go</c>), kept per HPA as that controller
/// keeps it: its past recommendations (for the downscale stabilization window) and scale events (for the rate policies).
/// External metrics with an <c>AverageValue</c> target: desired = ceil(sum / target) unless within the tolerance of the
/// current replicas; then stabilized, rate-limited and kept within [min, max].
/// </summary>
public sealed class HorizontalScaling(double tolerance, TimeSpan downscaleStabilization)
{
    private readonly List<(DateTimeOffset At, int Replicas)> _recommendations = [];
    private readonly List<(DateTimeOffset At, int Change)> _scaleUps = [];
    private readonly List<(DateTimeOffset At, int Change)> _scaleDowns = [];

    /// <summary>One sync. Returns the replicas the HPA writes, or null when it leaves them (disabled at zero, or unchanged).</summary>
    /// <param name="specReplicas">The scale subresource's <c>spec.replicas</c>.</param>
    /// <param name="statusReplicas">Its <c>status.replicas</c> (what the per-pod ratio divides by).</param>
    /// <param name="metrics">Per metric: the sum of its values and its per-pod target.</param>
    public int? Sync(int specReplicas, int statusReplicas, IReadOnlyList<(double Sum, double Target)> metrics, int min, int max, HpaBehavior? behavior, DateTimeOffset now)
    {
        int current = specReplicas;
        int desired;
        if (current == 0 && min != 0)
        {
            return null; // ScalingDisabled: KEDA owns 0 <-> 1
        }

        if (current > max)
        {
            desired = max;
        }
        else if (current < min)
        {
            desired = min;
        }
        else
        {
            int proposed = 0;
            foreach (var (sum, target) in metrics)
            {
                proposed = Math.Max(proposed, PerPod(statusReplicas, sum, target));
            }

            desired = behavior is null ? Normalize(current, proposed, min, max, now) : NormalizeWithBehavior(current, proposed, min, max, behavior, now);
        }

        if (desired == current)
        {
            return null;
        }

        (desired > current ? _scaleUps : _scaleDowns).Add((now, Math.Abs(desired - current)));
        return desired;
    }

    /// <summary><c>GetExternalPerPodMetricReplicas</c>: milli-quantities, as the metrics API hands them over.</summary>
    private int PerPod(int statusReplicas, double sum, double target)
    {
        double usage = Math.Round(sum * 1000);
        double perPod = Math.Round(target * 1000);
        double ratio = usage / (perPod * statusReplicas);
        return Math.Abs(1.0 - ratio) > tolerance ? (int)Math.Ceiling(usage / perPod) : statusReplicas;
    }

    /// <summary>Without <c>behavior</c>: the downscale stabilization window, then at most max(2 x current, 4) up.</summary>
    private int Normalize(int current, int proposed, int min, int max, DateTimeOffset now)
    {
        var cutoff = now - downscaleStabilization;
        _recommendations.RemoveAll(r => r.At < cutoff);
        int stabilized = _recommendations.Select(r => r.Replicas).Append(proposed).Max();
        _recommendations.Add((now, proposed));
        int upLimit = Math.Max(2 * current, 4);
        int allowedMax = Math.Min(max, upLimit);
        return stabilized < min ? min : stabilized > allowedMax ? allowedMax : stabilized;
    }

    /// <summary>With <c>behavior</c>: <c>stabilizeRecommendationWithBehaviors</c>, then <c>convertDesiredReplicasWithBehaviorRate</c>.</summary>
    private int NormalizeWithBehavior(int current, int proposed, int min, int max, HpaBehavior behavior, DateTimeOffset now)
    {
        var upCutoff = now - TimeSpan.FromSeconds(behavior.ScaleUp.StabilizationWindowSeconds);
        var downCutoff = now - TimeSpan.FromSeconds(behavior.ScaleDown.StabilizationWindowSeconds);
        int up = proposed;
        int down = proposed;
        foreach (var (at, replicas) in _recommendations)
        {
            if (at > upCutoff)
            {
                up = Math.Min(up, replicas);
            }

            if (at > downCutoff)
            {
                down = Math.Max(down, replicas);
            }
        }

        var oldest = upCutoff < downCutoff ? upCutoff : downCutoff;
        _recommendations.RemoveAll(r => r.At < oldest);
        _recommendations.Add((now, proposed));
        int stabilized = Math.Min(Math.Max(current, up), down);

        if (stabilized > current)
        {
            int limit = Math.Max(current, ScaleUpLimit(current, behavior.ScaleUp, now));
            return Math.Min(stabilized, Math.Min(max, limit));
        }

        if (stabilized < current)
        {
            int limit = Math.Min(current, ScaleDownLimit(current, behavior.ScaleDown, now));
            return Math.Max(stabilized, Math.Max(min, limit));
        }

        return Math.Clamp(stabilized, min, max);
    }

    private int ScaleUpLimit(int current, HpaRules rules, DateTimeOffset now)
    {
        if (rules.SelectPolicy == "Disabled")
        {
            return current;
        }

        bool pickMax = rules.SelectPolicy != "Min";
        int result = pickMax ? int.MinValue : int.MaxValue;
        foreach (var policy in rules.Policies)
        {
            int start = current - Changes(_scaleUps, policy.PeriodSeconds, now) + Changes(_scaleDowns, policy.PeriodSeconds, now);
            int proposed = policy.Type == "Pods" ? start + policy.Value : (int)Math.Ceiling(start * (1 + (policy.Value / 100.0)));
            result = pickMax ? Math.Max(result, proposed) : Math.Min(result, proposed);
        }

        return result;
    }

    private int ScaleDownLimit(int current, HpaRules rules, DateTimeOffset now)
    {
        if (rules.SelectPolicy == "Disabled")
        {
            return current;
        }

        bool pickMax = rules.SelectPolicy != "Min"; // Max: the policy allowing the largest change, i.e. the fewest replicas
        int result = pickMax ? int.MaxValue : int.MinValue;
        foreach (var policy in rules.Policies)
        {
            int start = current + Changes(_scaleDowns, policy.PeriodSeconds, now) - Changes(_scaleUps, policy.PeriodSeconds, now);
            int proposed = policy.Type == "Pods" ? start - policy.Value : (int)Math.Ceiling(start * (1 - (policy.Value / 100.0)));
            result = pickMax ? Math.Min(result, proposed) : Math.Max(result, proposed);
        }

        return result;
    }

    private static int Changes(List<(DateTimeOffset At, int Change)> events, int periodSeconds, DateTimeOffset now)
    {
        var cutoff = now - TimeSpan.FromSeconds(periodSeconds);
        events.RemoveAll(e => e.At < now - TimeSpan.FromMinutes(30));
        return events.Where(e => e.At > cutoff).Sum(e => e.Change);
    }
}
