using System.Net;
using Serving.Controller.Local.Processes;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>Status tells the truth: replica counts follow ready replicas, objects show where they are.</summary>
public sealed class StatusTruthTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Replicas_follow_ready_replicas_through_a_promotion_a_rollback_a_crash_and_scale_to_zero()
    {
        // A 5 s restart backoff: the killed replica's absence from the count lasts long enough to be seen on a starved machine.
        await using var platform = await TestPlatform.StartAsync(
            grace: TimeSpan.FromSeconds(1), timings: new ReplicaTimings { StopGrace = TimeSpan.FromSeconds(10), RestartBackoff = TimeSpan.FromSeconds(5) });
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "1"));
        await ReplicasAsync(platform, 1, "revision 1 ready");

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 10"));
        await ReplicasAsync(platform, 2, "canary and rolled-out revision");
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 100"));
        await ReplicasAsync(platform, 1, "promoted: the old revision out of routing");
        await platform.WaitForAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 1), Long, "the old revision stopped");

        // Rolled back: revision 1 (kept at zero since the promotion) serves again, revision 2 drains.
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 0"));
        await platform.WaitForAsync(async () => (await platform.InferAsync("iris")).Version == "1", Long, "revision 1 serves again");
        await ReplicasAsync(platform, 1, "rolled back");
        await platform.WaitForAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 1), Long, "revision 2 stopped");

        // A replica killed outright: out of the count at once, back once it is restarted.
        int pid = await platform.WaitForRuntimeAsync("iris", Long);
        StartRecoveryTests.Signal("KILL", pid);
        await ReplicasAsync(platform, 0, "the killed replica left the count");
        await ReplicasAsync(platform, 1, "the killed replica restarted");

        // Serverless at zero: 0 replicas, still Ready.
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0, version: "4"));
        await platform.WaitForAsync(async () => await ReplicaCount(platform) == 0 && platform.RuntimeProcesses("iris") == 0, Long, "scaled to zero");
        Assert.True(await ScaleFromZeroTests.Ready(platform, "iris"));
        Assert.Contains(" 0 ", (await platform.TableAsync()).Split('\n').Single(l => l.Contains(" iris ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_answers_per_namespace_and_per_object()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("a.yaml", Manifests.Iris("a", minReplicas: 1));
        platform.Write("b.yaml", Manifests.Iris("b", minReplicas: 1).Replace("  name: b\n", "  name: b\n  namespace: team\n", StringComparison.Ordinal));
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.Ready(platform, "a") && await ScaleFromZeroTests.Ready(platform, "b"), Long, "both Ready");

        var (okStatus, team) = await platform.AdminAsync("/status?namespace=team");
        Assert.Equal(HttpStatusCode.OK, okStatus);
        var items = System.Text.Json.Nodes.JsonNode.Parse(team)!.AsArray();
        Assert.Equal(["b"], items.Select(i => i!["metadata"]!["name"]!.GetValue<string>()));

        var (one, a) = await platform.AdminAsync("/status/default/a");
        Assert.Equal(HttpStatusCode.OK, one);
        var node = System.Text.Json.Nodes.JsonNode.Parse(a)!;
        Assert.Equal("InferenceService", node["kind"]!.GetValue<string>());
        Assert.NotNull(node["metadata"]!["creationTimestamp"]);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.AdminAsync("/status/default/nothing")).Status);
        Assert.Contains(" b ", (await platform.AdminAsync("/status?namespace=team&format=table")).Body, StringComparison.Ordinal);
    }

    private static async Task ReplicasAsync(TestPlatform platform, int replicas, string what) =>
        await platform.WaitForAsync(async () => await ReplicaCount(platform) == replicas, Long, $"{what}: {replicas} replica(s) in status");

    private static async Task<int?> ReplicaCount(TestPlatform platform) =>
        (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["replicas"]?.GetValue<int>();
}
