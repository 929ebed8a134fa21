using System.Globalization;
using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Serving.Scaler.Feed;
using Serving.Scaler.Tests.Infrastructure;
using Serving.TestCluster.Keda;
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
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task A_serverless_service_at_zero_is_scaled_to_one_by_held_requests_and_back_to_zero_after_the_cooldown()
    {
        var (ns, revision) = await ReadyAsync("zero", Manifests.Iris("iris", "Serverless", minReplicas: 0));
        await cluster.Feed.SetAsync(revision, 0); // a gateway routes it, idle

        // Never active since it was created (initialCooldownPeriod 0): KEDA takes it to zero at its first poll.
        await ReplicasAsync(ns, revision.Revision, r => r.Spec == 0 && r.Pods == 0, "idle, the revision goes to zero and its pod away");
        Assert.Equal(0, (await ReplicasAsync(ns, revision.Revision, _ => true, "read")).Spec); // the controller leaves it there

        // A request at zero: the activator holds it and says so; the scaler pushes, KEDA scales 0 -> 1, the pod starts.
        await cluster.Feed.ActivateAsync(revision);
        await cluster.Feed.SetAsync(revision, 1);
        await ReplicasAsync(ns, revision.Revision, r => r.Ready == 1, "a held request brings one ready replica");

        // Answered; after the scaler's grace (30 s of no arrival) and KEDA's cooldownPeriod (30 s), back to zero.
        await cluster.Feed.SetAsync(revision, 0);
        await ReplicasAsync(ns, revision.Revision, r => r.Spec == 0, "idle again, back to zero after the cooldown", TimeSpan.FromSeconds(300));
        var series = Series(ns, revision.Revision);
        output.WriteLine(string.Join("\n", series));
        Assert.Equal([0, 1, 0], series.Select(s => s.To));
        Assert.Equal("keda", series[1].By);
    }

    [Fact]
    public async Task The_lab_s_task_5_min_1_max_6_target_5_gets_4_replicas_for_20_in_flight_and_settles_back_to_1()
    {
        var (ns, revision) = await ReadyAsync("task5", Manifests.Iris(
            "iris", "Serverless", minReplicas: 1, extra: "    maxReplicas: 6\n    scaleMetric: concurrency\n    scaleTarget: 5", annotations: "    autoscaling.knative.dev/window: 6s"));
        await cluster.Feed.SetAsync(revision, 0);

        // hey -c 20: 20 requests in flight at all times.
        await cluster.Feed.SetAsync(revision, 20);
        await ReplicasAsync(ns, revision.Revision, r => r.Spec == 4, "20 in flight at target 5: 4 replicas");
        await cluster.Feed.SetAsync(revision, 0);
        await ReplicasAsync(ns, revision.Revision, r => r.Spec == 1, "the load gone, back to minReplicas");

        var series = Series(ns, revision.Revision);
        output.WriteLine(string.Join("\n", series));
        Assert.All(series, s => Assert.InRange(s.To, 1, 6));
        Assert.Equal(4, series.Max(s => s.To));
        Assert.Equal(1, series[^1].To);
    }

    [Fact]
    public async Task A_restarted_scaler_gets_its_streams_back_and_activation_still_works()
    {
        var (ns, revision) = await ReadyAsync("restart", Manifests.Iris("iris", "Serverless", minReplicas: 0));
        await cluster.Feed.SetAsync(revision, 0);
        await ReplicasAsync(ns, revision.Revision, r => r.Spec == 0, "idle, the revision goes to zero");
        string key = $"{ns}/{revision.Revision}";
        await Eventually.HoldsAsync(() => cluster.Keda.StreamsOpened(key) > 0, "the stand-in's stream is open", Long);

        // A rolling update of the scaler: SIGTERM ends every stream with OK; KEDA reconnects after 2 s (and backs off
        // while nothing answers).
        int opened = cluster.Keda.StreamsOpened(key);
        await cluster.Scaler.StopAsync();
        await cluster.Scaler.StartAgainAsync();
        await Eventually.HoldsAsync(() => cluster.Keda.StreamsOpened(key) > opened, "the stand-in reopens its stream on the new scaler", Long);

        await cluster.Feed.ActivateAsync(revision);
        await cluster.Feed.SetAsync(revision, 1);
        await ReplicasAsync(ns, revision.Revision, r => r.Ready == 1, "a held request after the restart brings one ready replica");
        await cluster.Feed.SetAsync(revision, 0);
    }

    /// <summary>Applies the manifest in a new namespace and waits until the service is Ready; the revision as gateways name it.</summary>
    private async Task<(string Namespace, RevisionId Revision)> ReadyAsync(string prefix, string manifest)
    {
        string ns = await cluster.NamespaceAsync(prefix);
        await cluster.ProvideIrisClaimAsync(ns);
        await cluster.ApplyAsync(ns, manifest);
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "the service is Ready", Long);
        return (ns, new RevisionId(ns, "iris", "predictor", "iris-predictor-00001"));
    }

    private IReadOnlyList<ScaleRecord> Series(string ns, string revision) =>
        [.. cluster.Keda.History.Where(h => h.ScaledObject == $"{ns}/{revision}")];

    private async Task<(int Spec, int Ready, int Pods)> ReplicasAsync(string ns, string deployment, Func<(int Spec, int Ready, int Pods), bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Long);
        (int Spec, int Ready, int Pods) last = default;
        while (DateTime.UtcNow < deadline)
        {
            var value = await cluster.GetAsync(ns, "deployment", deployment);
            int pods = (await cluster.ListAsync(ns, "pods", $"serving.kserve.io/revision={deployment}")).Count;
            last = (value?["spec"]?["replicas"]?.GetValue<int>() ?? -1, value?["status"]?["readyReplicas"]?.GetValue<int>() ?? 0, pods);
            if (done(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: not within {(timeout ?? Long).TotalSeconds} s; replicas {last}; stand-in: {string.Join("; ", Series(ns, deployment))}"));
        return last;
    }
}
