using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// Scaling on a cluster (issue 13 item 2): the real API server, node agent and controller, the ScaledObjects the controller
/// writes, a real scaler process fed through Redis as gateways feed it, and the KEDA stand-in writing through /scale.
/// Concurrency is published as a gateway's feed would publish it; no request is sent.
/// </summary>
[Collection(ScalingClusterCollection.Name)]
public sealed class ScalingTests(ScalingCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_serverless_service_at_zero_is_scaled_to_one_by_held_requests_and_back_to_zero_after_the_cooldown()
    {
        var (ns, revision) = await cluster.ReadyAsync("zero", Manifests.Iris("iris", "Serverless", minReplicas: 0));
        await cluster.Feed.SetAsync(revision, 0); // a gateway routes it, idle

        // Never active since it was created (initialCooldownPeriod 0): KEDA takes it to zero at its first poll.
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Spec == 0 && r.Pods == 0, "idle, the revision goes to zero and its pod away");
        Assert.Equal(0, (await cluster.ReplicasAsync(ns, revision.Revision, _ => true, "read")).Spec); // the controller leaves it there

        // A request at zero: the activator holds it and says so; the scaler pushes, KEDA scales 0 -> 1, the pod starts.
        await cluster.Feed.ActivateAsync(revision);
        await cluster.Feed.SetAsync(revision, 1);
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Ready == 1, "a held request brings one ready replica");

        // Answered; after the scaler's grace (30 s of no arrival) and KEDA's cooldownPeriod (30 s), back to zero.
        await cluster.Feed.SetAsync(revision, 0);
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Spec == 0, "idle again, back to zero after the cooldown", TimeSpan.FromSeconds(300));
        var series = cluster.Series(ns, revision.Revision);
        output.WriteLine(string.Join("\n", series));
        Assert.Equal([0, 1, 0], series.Select(s => s.To));
        Assert.Equal("keda", series[1].By);
    }

    [Fact]
    public async Task The_lab_s_task_5_min_1_max_6_target_5_gets_4_replicas_for_20_in_flight_and_settles_back_to_1()
    {
        var (ns, revision) = await cluster.ReadyAsync("task5", Manifests.Iris(
            "iris", "Serverless", minReplicas: 1, extra: "    maxReplicas: 6\n    scaleMetric: concurrency\n    scaleTarget: 5", annotations: "    autoscaling.knative.dev/window: 6s"));
        await cluster.Feed.SetAsync(revision, 0);

        // hey -c 20: 20 requests in flight at all times.
        await cluster.Feed.SetAsync(revision, 20);
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Spec == 4, "20 in flight at target 5: 4 replicas");
        await cluster.Feed.SetAsync(revision, 0);
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Spec == 1, "the load gone, back to minReplicas");

        var series = cluster.Series(ns, revision.Revision);
        output.WriteLine(string.Join("\n", series));
        Assert.All(series, s => Assert.InRange(s.To, 1, 6));
        Assert.Equal(4, series.Max(s => s.To));
        Assert.Equal(1, series[^1].To);
    }

    [Fact]
    public async Task A_restarted_scaler_gets_its_streams_back_and_activation_still_works()
    {
        var (ns, revision) = await cluster.ReadyAsync("restart", Manifests.Iris("iris", "Serverless", minReplicas: 0));
        await cluster.Feed.SetAsync(revision, 0);
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Spec == 0, "idle, the revision goes to zero");
        await cluster.RestartScalerAsync($"{ns}/{revision.Revision}");

        await cluster.Feed.ActivateAsync(revision);
        await cluster.Feed.SetAsync(revision, 1);
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Ready == 1, "a held request after the restart brings one ready replica");
        await cluster.Feed.SetAsync(revision, 0);
    }
}
