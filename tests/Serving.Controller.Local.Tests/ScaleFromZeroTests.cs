using System.Net;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>Serverless scale to zero and back, through real runtime processes.</summary>
public sealed class ScaleFromZeroTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Idle_goes_to_zero_and_the_first_request_starts_a_process_and_is_answered()
    {
        await using var platform = await TestPlatform.StartAsync(grace: TimeSpan.FromSeconds(1));
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0));

        // A new revision starts one replica to prove it works (Knative's initial scale), then idles to zero.
        await TestPlatform.WaitUntilAsync(async () => await Ready(platform, "iris"), Long, "iris Ready");
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 0), Long, "iris scaled to zero");
        Assert.Equal("True", await ReadyCondition(platform, "iris")); // a revision at zero stays ready

        var (status, version, cold) = await platform.InferAsync("iris");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", version);
        Assert.True(cold, "the first request at zero carries X-Cold-Start: true");
        Assert.Equal(1, platform.RuntimeProcesses("iris"));

        // Idle again: back to zero after the window and the (shortened) grace.
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 0), Long, "iris back at zero");
    }

    [Fact]
    public async Task Two_hundred_concurrent_requests_at_zero_are_all_answered()
    {
        await using var platform = await TestPlatform.StartAsync(grace: TimeSpan.FromSeconds(1));
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0));
        await TestPlatform.WaitUntilAsync(async () => await Ready(platform, "iris"), Long, "iris Ready");
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 0), Long, "iris scaled to zero");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => platform.InferAsync("iris")));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Contains(results, r => r.ColdStart);
        Assert.InRange(platform.RuntimeProcesses("iris"), 1, 200);
    }

    [Fact]
    public async Task Raw_mode_keeps_a_replica_when_idle_while_serverless_goes_to_zero()
    {
        await using var platform = await TestPlatform.StartAsync(grace: TimeSpan.FromSeconds(1));
        const string raw = "    serving.kserve.io/deploymentMode: RawDeployment";
        platform.Write("raw.yaml", Manifests.Iris("iris-raw", minReplicas: 0, annotations: raw)); // clamped to 1
        platform.Write("serverless.yaml", Manifests.Iris("iris", minReplicas: 0));
        await TestPlatform.WaitUntilAsync(async () => await Ready(platform, "iris-raw") && await Ready(platform, "iris"), Long, "both Ready");

        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 0), Long, "serverless iris at zero");
        await Task.Delay(TimeSpan.FromSeconds(3)); // past the same window and grace

        Assert.Equal(1, platform.RuntimeProcesses("iris-raw"));
        Assert.Equal("Standard", (await platform.StatusAsync("iris-raw"))!["deploymentMode"]!.GetValue<string>());
    }

    internal static async Task<bool> Ready(TestPlatform platform, string name) => await ReadyCondition(platform, name) == "True";

    internal static async Task<string?> ReadyCondition(TestPlatform platform, string name) =>
        (await platform.StatusAsync(name))?["conditions"]?.AsArray()
            .FirstOrDefault(c => c?["type"]?.GetValue<string>() == "Ready")?["status"]?.GetValue<string>();
}
