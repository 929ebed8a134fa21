using System.Net;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>The platform keeps its state in its state folder: a restart resumes the same revisions, traffic and history.</summary>
public sealed class RestartTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_restart_in_the_middle_of_a_canary_resumes_the_same_revisions_and_traffic_and_numbering_goes_on()
    {
        var first = await TestPlatform.StartAsync();
        first.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "1"));
        await first.WaitForAsync(async () => await ScaleFromZeroTests.Ready(first, "iris"), Long, "revision 1 Ready");
        first.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 10"));
        await first.WaitForAsync(async () => await LatestReady(first) == "iris-predictor-00002", Long, "revision 2 ready");
        string created = (await first.AdminAsync("/status/default/iris")).Body;

        await first.StopAsync();
        Assert.Equal(0, first.RuntimeProcesses("iris")); // the replicas went with the platform: none is orphaned
        await using var platform = await TestPlatform.StartAsync(root: first.Root);

        // Routed from the moment it listens: the first request waits for a replica, it does not get a 404.
        Assert.Equal(HttpStatusCode.OK, (await platform.InferAsync("iris")).Status);
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "Ready after the restart");
        var predictor = (await platform.StatusAsync("iris"))!["components"]!["predictor"]!;
        Assert.Equal("iris-predictor-00001", predictor["latestRolledoutRevision"]!.GetValue<string>());
        Assert.Equal("iris-predictor-00002", predictor["latestReadyRevision"]!.GetValue<string>());
        Assert.Equal(
            ["iris-predictor-00002:10", "iris-predictor-00001:90"],
            predictor["traffic"]!.AsArray().Select(t => $"{t!["revisionName"]}:{t["percent"]}"));
        Assert.Contains(
            System.Text.Json.Nodes.JsonNode.Parse(created)!["metadata"]!["creationTimestamp"]!.GetValue<string>(),
            (await platform.AdminAsync("/status/default/iris")).Body, StringComparison.Ordinal);

        // Both revisions serve again: the split holds across the restart.
        var versions = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => platform.InferAsync("iris")));
        Assert.All(versions, v => Assert.Equal(HttpStatusCode.OK, v.Status));
        Assert.InRange(versions.Count(v => v.Version == "2"), 4, 45);

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 100"));
        await platform.WaitForAsync(
            async () => (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["previousRolledoutRevision"]?.GetValue<string>() == "iris-predictor-00001",
            Long, "promoted after the restart");
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "3"));
        await platform.WaitForAsync(
            async () => (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["latestCreatedRevision"]?.GetValue<string>() == "iris-predictor-00003",
            Long, "the next revision is number 3");
    }

    [Fact]
    public async Task A_service_deleted_while_the_platform_was_down_is_removed_when_it_comes_back()
    {
        var first = await TestPlatform.StartAsync();
        first.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1));
        await first.WaitForAsync(async () => await ScaleFromZeroTests.Ready(first, "iris"), Long, "iris Ready");
        first.Delete("iris.yaml"); // deleted, but the platform stops before it notices
        await using var platform = await first.RestartAsync();

        await platform.WaitForAsync(() => Task.FromResult(!Directory.Exists(Path.Combine(platform.Root, "state", "services", "default", "iris"))), Long, "its state removed");
        Assert.Null(await platform.StatusAsync("iris"));
        Assert.Equal(0, platform.RuntimeProcesses("iris"));
    }

    private static async Task<string?> LatestReady(TestPlatform platform) =>
        (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["latestReadyRevision"]?.GetValue<string>();
}
