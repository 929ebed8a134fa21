using System.Text.Json.Nodes;
using Serving.TestCluster.Keda;

namespace Serving.TestCluster.Tests.Keda;

/// <summary>KEDA's RequestScale as the stand-in decides it (shared/reference/autoscaling.md §1.5).</summary>
public sealed class ScaleDecisionTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 3)]
    public void Active_at_zero_goes_to_minReplicaCount_or_one(int min, int expected)
    {
        var outcome = ScaleDecision.Decide(Spec(min), current: 0, active: true, error: false, lastActive: null, Created.AddMinutes(1));
        Assert.Equal(expected, outcome.Replicas);
        Assert.Equal(Created.AddMinutes(1), outcome.LastActive);
    }

    [Fact]
    public void Active_above_zero_only_remembers_it()
    {
        var outcome = ScaleDecision.Decide(Spec(0), current: 2, active: true, error: false, lastActive: null, Created.AddMinutes(1));
        Assert.Null(outcome.Replicas);
        Assert.Equal(Created.AddMinutes(1), outcome.LastActive);
    }

    [Fact]
    public void Inactive_goes_to_zero_only_after_the_cooldown_and_never_on_an_error()
    {
        var spec = Spec(0);
        var last = Created.AddMinutes(1);
        Assert.Null(ScaleDecision.Decide(spec, 1, active: false, error: false, last, last.AddSeconds(29)).Replicas);
        Assert.Null(ScaleDecision.Decide(spec, 1, active: false, error: true, last, last.AddSeconds(31)).Replicas);
        Assert.Equal(0, ScaleDecision.Decide(spec, 1, active: false, error: false, last, last.AddSeconds(31)).Replicas);
    }

    [Fact]
    public void Never_active_goes_to_zero_after_the_initial_cooldown_and_below_min_is_corrected()
    {
        Assert.Equal(0, ScaleDecision.Decide(Spec(0), 1, active: false, error: false, null, Created.AddSeconds(1)).Replicas);
        Assert.Equal(2, ScaleDecision.Decide(Spec(2), 1, active: false, error: false, null, Created.AddSeconds(1)).Replicas);
    }

    private static ScaledObjectSpec Spec(int min) => ScaledObjectSpec.Parse(JsonNode.Parse($$$"""
        {"metadata": {"name": "iris-predictor-00001", "namespace": "ns", "uid": "u", "generation": 1, "creationTimestamp": "2026-12-05T12:00:00Z"},
         "spec": {"scaleTargetRef": {"name": "iris-predictor-00001"}, "minReplicaCount": {{{min}}}, "maxReplicaCount": 5, "cooldownPeriod": 30,
                  "triggers": [{"type": "external-push", "metadata": {"scalerAddress": "127.0.0.1:9090", "inferenceService": "iris", "component": "predictor"}}]}}
        """)!.AsObject());
}
