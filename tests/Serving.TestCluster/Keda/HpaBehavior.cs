using System.Text.Json.Nodes;

namespace Serving.TestCluster.Keda;

/// <summary>One scaling policy of an HPA's behavior: at most <c>Value</c> pods, or percent, per <c>PeriodSeconds</c>.</summary>
public sealed record HpaPolicy(string Type, int Value, int PeriodSeconds);

/// <summary>One direction of an HPA's behavior (<c>scaleUp</c> or <c>scaleDown</c>).</summary>
/// <param name="SelectPolicy"><c>Max</c> (the policy allowing the largest change), <c>Min</c> or <c>Disabled</c>.</param>
public sealed record HpaRules(int StabilizationWindowSeconds, string SelectPolicy, IReadOnlyList<HpaPolicy> Policies);

/// <summary>
/// <c>spec.behavior</c> of the HPA KEDA creates (the ScaledObject's <c>advanced.horizontalPodAutoscalerConfig.behavior</c>),
/// with Kubernetes' defaults for whatever it leaves out (<c>pkg/apis/autoscaling/v2/defaults.go</c>): scale up with no
/// stabilization, 4 pods or 100% per 15 s, whichever is more; scale down after the 300 s window, 100% per 15 s.
/// </summary>
public sealed record HpaBehavior(HpaRules ScaleUp, HpaRules ScaleDown)
{
    private static readonly HpaRules DefaultUp = new(0, "Max", [new("Pods", 4, 15), new("Percent", 100, 15)]);

    /// <summary>The behavior asked for, or null where the ScaledObject sets none (the HPA then has none either).</summary>
    public static HpaBehavior? From(JsonNode? behavior, TimeSpan downscaleStabilization)
    {
        if (behavior is not JsonObject value)
        {
            return null;
        }

        var defaultDown = new HpaRules((int)downscaleStabilization.TotalSeconds, "Max", [new("Percent", 100, 15)]);
        return new HpaBehavior(Rules(value["scaleUp"], DefaultUp), Rules(value["scaleDown"], defaultDown));
    }

    private static HpaRules Rules(JsonNode? rules, HpaRules defaults)
    {
        if (rules is not JsonObject value)
        {
            return defaults;
        }

        var policies = value["policies"]?.AsArray()
            .Select(p => new HpaPolicy(p!["type"]!.GetValue<string>(), p["value"]!.GetValue<int>(), p["periodSeconds"]!.GetValue<int>()))
            .ToList();
        return new HpaRules(
            value["stabilizationWindowSeconds"]?.GetValue<int>() ?? defaults.StabilizationWindowSeconds,
            value["selectPolicy"]?.GetValue<string>() ?? defaults.SelectPolicy,
            policies is { Count: > 0 } ? policies : defaults.Policies);
    }
}
