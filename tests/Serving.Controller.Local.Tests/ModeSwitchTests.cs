using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>The lab's Task 4: changing the deployment mode of a running service is a rollout, with no failed request.</summary>
public sealed class ModeSwitchTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Serverless_to_RawDeployment_and_back_under_load_fails_no_request()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0, annotations: Mode("Serverless")));
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "iris Ready");

        await using var load = ContinuousLoad.Start(platform, "iris", clients: 4);

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0, annotations: Mode("RawDeployment")));
        await RolledOutAsync(platform, "iris-predictor-00002", "Standard");
        int atRaw = load.Served;

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0, annotations: Mode("Serverless")));
        await RolledOutAsync(platform, "iris-predictor-00003", "Knative");
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.True(atRaw > 0 && load.Served > atRaw, $"requests were served throughout ({atRaw} by the raw rollout, {load.Served} in all)");
        var predictor = (await platform.StatusAsync("iris"))!["components"]!["predictor"]!;
        Assert.Equal("iris-predictor-00002", predictor["previousRolledoutRevision"]!.GetValue<string>());
        await platform.WaitForAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") >= 1), Long, "the serverless revision runs");
    }

    /// <summary>Rolled out in the new mode, and the revisions before it drained and stopped.</summary>
    private static async Task RolledOutAsync(TestPlatform platform, string revision, string mode) =>
        await platform.WaitForAsync(
            async () =>
            {
                var status = await platform.StatusAsync("iris");
                return status?["deploymentMode"]?.GetValue<string>() == mode
                    && status["components"]?["predictor"]?["latestRolledoutRevision"]?.GetValue<string>() == revision
                    && status["components"]?["predictor"]?["traffic"]?.AsArray().Count == 1;
            },
            Long, $"{revision} rolled out in {mode} mode");

    private static string Mode(string mode) => $"    serving.kserve.io/deploymentMode: {mode}";
}
