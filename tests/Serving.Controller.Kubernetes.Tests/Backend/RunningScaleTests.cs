using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Kubernetes.Backend;
using Serving.Kubernetes.Client;
using Serving.Controller.Kubernetes.Objects;

namespace Serving.Controller.Kubernetes.Tests.Backend;

public sealed class RunningScaleTests
{
    [Fact]
    public void A_serverless_revision_KEDA_scaled_to_zero_stays_there()
    {
        Assert.Null(RunningScale.Wanted(Deployment(replicas: 0, initial: 1), ScaledObject(min: 0), autoscalerExists: true));
    }

    [Fact]
    public void A_revision_kept_at_zero_comes_back_at_its_initial_scale_when_traffic_returns()
    {
        // Kept at zero for a rollback, its autoscaler was deleted; it is applied again after this decision.
        Assert.Equal(1, RunningScale.Wanted(Deployment(replicas: 0, initial: 1), ScaledObject(min: 0), autoscalerExists: false));
        Assert.Equal(3, RunningScale.Wanted(Deployment(replicas: 0, initial: 3), Hpa(min: 3), autoscalerExists: false));
    }

    [Fact]
    public void An_autoscaler_that_never_goes_below_one_is_never_left_at_zero()
    {
        // An HPA does not scale from zero; KEDA with minReplicaCount >= 1 would, but sooner is better.
        Assert.Equal(2, RunningScale.Wanted(Deployment(replicas: 0, initial: 2), Hpa(min: 2), autoscalerExists: true));
        Assert.Equal(1, RunningScale.Wanted(Deployment(replicas: 0, initial: 1), ScaledObject(min: 1), autoscalerExists: true));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Replicas_above_zero_are_the_autoscaler_s(int replicas)
    {
        Assert.Null(RunningScale.Wanted(Deployment(replicas, initial: 1), ScaledObject(min: 0), autoscalerExists: true));
        Assert.Null(RunningScale.Wanted(Deployment(replicas, initial: 1), Hpa(min: 1), autoscalerExists: true));
        Assert.Null(RunningScale.Wanted(Deployment(replicas, initial: 1), autoscaler: null, autoscalerExists: false)); // external
    }

    [Fact]
    public void Pinned_replicas_are_set_back_to_their_count()
    {
        var deployment = Deployment(replicas: 5, initial: 2);
        deployment["metadata"]!["annotations"]![RevisionLabels.Pinned] = "true";
        Assert.Equal(2, RunningScale.Wanted(deployment, autoscaler: null, autoscalerExists: false));
        deployment["spec"]!["replicas"] = 2;
        Assert.Null(RunningScale.Wanted(deployment, autoscaler: null, autoscalerExists: false));
    }

    [Fact]
    public void A_revision_that_may_go_to_zero_is_held_at_its_initial_scale_until_it_has_loaded()
    {
        var deployment = Deployment(replicas: 1, initial: 1);
        var held = RunningScale.Applied(ScaledObject(min: 0), deployment, loaded: false);
        Assert.Equal(1, held.Object["spec"]!["minReplicaCount"]!.GetValue<int>());
        Assert.Equal(0, RunningScale.Applied(ScaledObject(min: 0), deployment, loaded: true).Object["spec"]!["minReplicaCount"]!.GetValue<int>());

        // At zero before it loaded (KEDA was first): brought back, since the autoscaler as applied keeps one.
        Assert.Equal(1, RunningScale.Wanted(Deployment(replicas: 0, initial: 1), held, autoscalerExists: true));

        // Floors of one or more, and HPAs, are applied as they are.
        Assert.Equal(2, RunningScale.Applied(ScaledObject(min: 2), deployment, loaded: false).Object["spec"]!["minReplicaCount"]!.GetValue<int>());
        Assert.Same(Hpa(min: 1).Type, RunningScale.Applied(Hpa(min: 1), deployment, loaded: false).Type);
    }

    [Fact]
    public void A_revision_loads_when_its_Deployment_first_shows_a_ready_replica_and_stays_loaded()
    {
        var deployment = Deployment(replicas: 1, initial: 1);
        Assert.False(RunningScale.LoadsNow(deployment));
        deployment["status"] = new JsonObject { ["readyReplicas"] = 1 };
        Assert.True(RunningScale.LoadsNow(deployment));

        deployment["metadata"]!["annotations"]![RevisionLabels.LoadedAt] = "2026-12-05T15:00:00.000Z";
        deployment["status"] = new JsonObject { ["readyReplicas"] = 0 };
        Assert.True(RunningScale.Loaded(deployment));
        Assert.False(RunningScale.LoadsNow(deployment));
    }

    private static AutoscalerObject ScaledObject(int min) =>
        new(Resources.ScaledObjects, new JsonObject { ["spec"] = new JsonObject { ["minReplicaCount"] = min } });

    private static AutoscalerObject Hpa(int min) =>
        new(Resources.HorizontalPodAutoscalersV2, new JsonObject { ["spec"] = new JsonObject { ["minReplicas"] = min } });

    private static JsonObject Deployment(int replicas, int initial) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = "iris-predictor-00001",
            ["namespace"] = "ns",
            ["annotations"] = new JsonObject { [RevisionLabels.InitialScale] = initial.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        },
        ["spec"] = new JsonObject { ["replicas"] = replicas },
    };
}
