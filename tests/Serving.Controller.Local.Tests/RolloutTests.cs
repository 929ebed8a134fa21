using System.Collections.Concurrent;
using System.Net;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>The walkthrough's canary: edit the YAML, watch the split, promote under load with nothing failed.</summary>
public sealed class RolloutTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Canary_at_10_percent_then_promotion_under_load_stops_the_old_revision_with_no_errors()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "1"));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "revision 1 Ready");

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 10"));
        await TestPlatform.WaitUntilAsync(
            async () => (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["latestReadyRevision"]?.GetValue<string>() == "iris-predictor-00002",
            Long, "revision 2 ready");
        var predictor = (await platform.StatusAsync("iris"))!["components"]!["predictor"]!;
        Assert.Equal("iris-predictor-00001", predictor["latestRolledoutRevision"]!.GetValue<string>());
        Assert.Contains("iris-predictor-00002", (await platform.TableAsync()).Split('\n').Single(l => l.Contains(" iris ", StringComparison.Ordinal)));

        var versions = new ConcurrentBag<string?>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            var (status, version, _) = await platform.InferAsync("iris", ct);
            Assert.Equal(HttpStatusCode.OK, status);
            versions.Add(version);
        });
        double canary = versions.Count(v => v == "2") / 10.0;
        Assert.InRange(canary, 6.0, 14.0); // 10% of 1,000: the binomial spread is about 1 point

        // Promote while clients keep sending: the old revision drains and stops, and no request fails.
        await using var load = ContinuousLoad.Start(platform, "iris", clients: 4);
        await Task.Delay(300);
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 100"));
        await TestPlatform.WaitUntilAsync(
            async () => (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["latestRolledoutRevision"]?.GetValue<string>() == "iris-predictor-00002",
            Long, "revision 2 rolled out");
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 1), Long, "revision 1 stopped");
        await Task.Delay(300);
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.True(load.Served > 0);
        predictor = (await platform.StatusAsync("iris"))!["components"]!["predictor"]!;
        Assert.Equal("iris-predictor-00001", predictor["previousRolledoutRevision"]!.GetValue<string>());
        Assert.Equal("2", (await platform.InferAsync("iris")).Version);
    }

    [Fact]
    public async Task Tag_hosts_pin_the_canary_and_the_previous_revision()
    {
        await using var platform = await TestPlatform.StartAsync();
        const string tags = "    serving.kserve.io/enable-tag-routing: \"true\"";
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "1", annotations: tags));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "revision 1 Ready");
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    canaryTrafficPercent: 10", annotations: tags));
        await TestPlatform.WaitUntilAsync(
            async () => (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["latestReadyRevision"]?.GetValue<string>() == "iris-predictor-00002",
            Long, "revision 2 ready");

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("2", (await platform.InferAsync("iris", host: "latest-iris-predictor.default.example.com")).Version);
            Assert.Equal("1", (await platform.InferAsync("iris", host: "prev-iris-predictor.default.example.com")).Version);
        }
    }
}
