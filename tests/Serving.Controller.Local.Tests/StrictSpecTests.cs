using System.Net;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>Typos are named; a refused update never takes a running service down; every refusal is logged once.</summary>
public sealed class StrictSpecTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_typo_in_a_new_service_is_named_with_the_field_meant_and_it_starts_nothing()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("typo.yaml", Manifests.Iris("typo", minReplicas: 1).Replace("storageUri:", "stoargeUri:", StringComparison.Ordinal));
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.ReadyCondition(platform, "typo") == "False", Long, "typo refused");

        var ready = (await platform.StatusAsync("typo"))!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Ready")!;
        Assert.Equal("InvalidSpec", ready["reason"]!.GetValue<string>());
        Assert.Contains("spec.predictor.model.stoargeUri: unknown field; did you mean storageUri?", ready["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var (status, body) = await platform.PostV1Async("typo");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("InvalidSpec", body!["reason"]!.GetValue<string>());
        Assert.Contains("did you mean storageUri?", await platform.TableAsync(), StringComparison.Ordinal);
        var (_, json) = await platform.AdminAsync("/status/default/typo");
        Assert.Matches("\"creationTimestamp\": \"20\\d\\d-", json); // a refused object has its AGE too
        Assert.Equal(0, platform.RuntimeProcesses("typo"));

        // The refusal is logged after its status is written: waited for. Touched again with the same typo: nothing new
        // to say, nothing logged again.
        await platform.WaitForAsync(() => Task.FromResult(platform.Logs.Any(l => l.Contains("stoargeUri", StringComparison.Ordinal))), Long, "the refusal logged");
        platform.Write("typo.yaml", Manifests.Iris("typo", minReplicas: 1, version: "1 ").Replace("storageUri:", "stoargeUri:", StringComparison.Ordinal));
        await Task.Delay(1000);
        Assert.Single(platform.Logs, l => l.Contains("stoargeUri", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_update_keeps_the_last_accepted_spec_serving_and_says_why()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1));
        await platform.WaitForAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "iris Ready");

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2", extra: "    minReplica: 0"));
        await platform.WaitForAsync(async () => await Refusal(platform) is not null, Long, "the update refused");

        Assert.Contains("spec.predictor.minReplica: unknown field; did you mean minReplicas?", await Refusal(platform), StringComparison.Ordinal);
        Assert.True(await ScaleFromZeroTests.Ready(platform, "iris"));
        var (status, version, _) = await platform.InferAsync("iris");
        Assert.Equal((HttpStatusCode.OK, "1"), (status, version));
        string row = (await platform.TableAsync()).Split('\n').Single(l => l.Contains(" iris ", StringComparison.Ordinal));
        Assert.Contains("InvalidSpec", row, StringComparison.Ordinal);
        // The refusal is logged after its status is written: waited for, then logged once.
        static bool Names(string line) => line.Contains("minReplica:", StringComparison.Ordinal) || line.Contains("minReplica ", StringComparison.Ordinal);
        await platform.WaitForAsync(() => Task.FromResult(platform.Logs.Any(Names)), Long, "the refusal logged");
        Assert.Single(platform.Logs, Names);

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2"));
        await platform.WaitForAsync(async () => (await platform.InferAsync("iris")).Version == "2", Long, "the fixed spec rolled out");
        Assert.Null(await Refusal(platform));
    }

    private static async Task<string?> Refusal(TestPlatform platform) =>
        (await platform.StatusAsync("iris"))?["conditions"]?.AsArray()
            .FirstOrDefault(c => c?["type"]?.GetValue<string>() == "SpecAccepted")?["message"]?.GetValue<string>();
}
