using System.Net;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>Auth annotations on KServe YAML, through the whole local platform and real runtime processes.</summary>
public sealed class AuthTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_annotated_InferenceService_serves_only_callers_with_a_listed_key_and_a_refused_request_starts_nothing()
    {
        const string TeamA = "team-a-key-0123456789";
        string keys = Path.Combine(Path.GetTempPath(), "serving-local-tests", Guid.NewGuid().ToString("N") + ".keys");
        Directory.CreateDirectory(Path.GetDirectoryName(keys)!);
        await File.WriteAllTextAsync(keys, $"team-a:{TeamA}\nci:ci-key-0123456789abcdef\n");
        await using var platform = await TestPlatform.StartAsync(grace: TimeSpan.FromSeconds(1), apiKeys: keys);
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0, annotations: """
                serving.kserve.io/auth: api-key
                serving.kserve.io/auth-api-keys: team-a
            """));
        platform.Write("typo.yaml", Manifests.Iris("typo", minReplicas: 1, annotations: "    serving.kserve.io/auth: apikey"));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "iris Ready");
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 0), Long, "iris scaled to zero");

        var (status, body) = await platform.PostV1Async("iris");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("InferenceService default/iris: an API key is required (X-Api-Key or Authorization: Bearer)", body?["error"]?.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.PostV1Async("iris", ("X-Api-Key", "ci-key-0123456789abcdef"))).Status);
        await Task.Delay(TimeSpan.FromSeconds(2)); // several decision intervals: nothing was asked to start
        Assert.Equal(0, platform.RuntimeProcesses("iris"));

        (status, body) = await platform.PostV1Async("iris", ("X-Api-Key", TeamA));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(body?["predictions"]);
        Assert.Equal(HttpStatusCode.OK, (await platform.PostV1Async("iris", ("Authorization", "Bearer " + TeamA))).Status);

        // A misspelt mode is never served open: every request gets 503 and the reason, key or not.
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "typo"), Long, "typo Ready");
        (status, body) = await platform.PostV1Async("typo", ("X-Api-Key", TeamA));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("InvalidAuth", body?["reason"]?.GetValue<string>());
        Assert.Contains("unknown mode 'apikey'", body?["error"]?.GetValue<string>(), StringComparison.Ordinal);
    }
}
