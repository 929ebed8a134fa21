using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Serving.Gateway.Model;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Activation;

public sealed partial class ActivatorTests
{
    private const string Host = "iris.default.example.com";
    private const string Revision = "iris-predictor-00001";

    [Fact]
    public async Task A_thousand_requests_held_at_zero_replicas_are_all_answered_once_a_replica_is_ready()
    {
        var signal = new RecordingSignal();
        await using var gateway = await TestGateway.StartAsync(signal: signal);
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0));

        var requests = Enumerable.Range(0, 1000).Select(_ => gateway.SendAsync(Host, "/v1/models/iris:predict")).ToList();
        await WaitUntilAsync(() => gateway.Catalog.Held == 1000);
        Assert.Contains(signal.Activations, k => k.Revision == Revision);
        Assert.Contains("\"held\":1000", await gateway.AdminAsync("/status"));

        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0, new EndpointRoute(replica.Address, Ready: false)));
        await Task.Delay(100);
        Assert.Equal(0, replica.Served); // not ready yet: nothing is sent

        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0, new EndpointRoute(replica.Address, Ready: true)));
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers, a => Assert.Equal("true", a.Response.Headers.GetValues("X-Cold-Start").Single()));
        Assert.Equal(1000, replica.Served);
        Assert.Equal(0, gateway.Catalog.Held);
        Assert.Contains("gateway_cold_starts_total{namespace=\"default\",isvc=\"iris\",revision=\"iris-predictor-00001\"} 1000", await gateway.AdminAsync("/metrics"));
    }

    [Fact]
    public async Task Held_requests_spread_over_every_replica_that_becomes_ready()
    {
        await using var gateway = await TestGateway.StartAsync();
        var replicas = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => TestBackend.StartAsync($"r{i}")));
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0));
        foreach (var replica in replicas)
        {
            replica.Hold();
        }

        var requests = Enumerable.Range(0, 300).Select(_ => gateway.SendAsync(Host, "/v1/models/iris:predict")).ToList();
        await WaitUntilAsync(() => gateway.Catalog.Held == 300);
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0, [.. replicas.Select(r => new EndpointRoute(r.Address, true))]));
        await WaitUntilAsync(() => replicas.Sum(r => r.InFlight) == 300);

        Assert.All(replicas, r => Assert.Equal(100, r.InFlight));
        foreach (var replica in replicas)
        {
            replica.Release();
        }

        Assert.All(await Task.WhenAll(requests), a => Assert.Equal(200, a.Status));
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_at_once()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { Activator = o.Activator with { QueueLimitPerRevision = 10 } });
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0));
        using var cancel = new CancellationTokenSource();
        var held = Enumerable.Range(0, 10).Select(_ => gateway.SendAsync(Host, "/", cancellationToken: cancel.Token)).ToList();
        await WaitUntilAsync(() => gateway.Catalog.Held == 10);

        var clock = Stopwatch.StartNew();
        var (status, body, response) = await gateway.SendAsync(Host, "/v1/models/iris:predict");
        clock.Stop();

        Assert.Equal(503, status);
        Assert.Equal("1", response.Headers.RetryAfter!.ToString());
        Assert.Equal("the queue for this revision is full (10 requests)", (string?)body!["error"]);
        // Not held: far under the 60 s activation timeout by the client's clock and the gateway's (not a speed target,
        // the bound leaves a starved machine seconds).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"503 took {clock.ElapsedMilliseconds} ms");
        Assert.True(await RejectedWithinAsync(gateway, 6.5536), "the 503 took more than 6.5 s inside the gateway");
        await cancel.CancelAsync();
        await Task.WhenAll(held.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    [Fact]
    public async Task A_request_held_past_the_activation_timeout_gets_504()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { Activator = o.Activator with { ActivationTimeout = TimeSpan.FromMilliseconds(300) } });
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0));

        var (status, body, response) = await gateway.SendAsync(Host, "/v1/models/iris:predict");
        response.Dispose();

        Assert.Equal(504, status);
        Assert.Equal("no replica of revision iris-predictor-00001 became available within 0.3 s", (string?)body!["error"]);
        Assert.Equal(0, gateway.Catalog.Held);
        Assert.Contains("outcome=\"timeout\"", await gateway.AdminAsync("/metrics"));
    }

    [Fact]
    public async Task A_held_request_whose_client_leaves_frees_its_place()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { Activator = o.Activator with { QueueLimitPerRevision = 1 } });
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0));
        using (var leaving = new CancellationTokenSource())
        {
            var gone = gateway.SendAsync(Host, "/", cancellationToken: leaving.Token);
            await WaitUntilAsync(() => gateway.Catalog.Held == 1);
            await leaving.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
        }

        await WaitUntilAsync(() => gateway.Catalog.Held == 0);
        var next = gateway.SendAsync(Host, "/v1/models/iris:predict");
        await WaitUntilAsync(() => gateway.Catalog.Held == 1); // it got the freed place, not a 503
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0, new EndpointRoute(replica.Address, true)));

        Assert.Equal(200, (await next).Status);
        Assert.Equal(1, replica.Served);
        Assert.Contains("outcome=\"cancelled\"", await gateway.AdminAsync("/metrics"));
    }

    [Fact]
    public async Task Requests_held_for_a_service_that_goes_away_get_503()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0));
        var held = gateway.SendAsync(Host, "/");
        await WaitUntilAsync(() => gateway.Catalog.Held == 1);

        gateway.Catalog.Remove(new ServiceKey("default", "iris"));
        var (status, body, _) = await held;

        Assert.Equal(503, status);
        Assert.Equal("InferenceService default/iris is no longer served", (string?)body!["error"]);
    }

    [Fact]
    public async Task Requests_held_for_a_revision_that_traffic_leaves_are_routed_to_the_one_that_replaces_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var replica = await TestBackend.StartAsync("r2");
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0));
        var held = Enumerable.Range(0, 20).Select(_ => gateway.SendAsync(Host, "/v1/models/iris:predict")).ToList();
        await WaitUntilAsync(() => gateway.Catalog.Held == 20);

        // A mode switch or a promotion finished while they waited: revision 2 takes all traffic, revision 1 leaves.
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00002", 0, new EndpointRoute(replica.Address, Ready: true)));
        var answers = await Task.WhenAll(held);

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(20, replica.Served);
        Assert.DoesNotContain("code=\"503\"", await gateway.AdminAsync("/metrics"), StringComparison.Ordinal);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static async Task<bool> RejectedWithinAsync(TestGateway gateway, double seconds)
    {
        string metrics = await gateway.AdminAsync("/metrics");
        string le = seconds.ToString(CultureInfo.InvariantCulture);
        var match = Regex.Match(metrics, $"gateway_request_duration_seconds_bucket{{namespace=\"default\",isvc=\"iris\",revision=\"iris-predictor-00001\",code=\"503\",le=\"{Regex.Escape(le)}\"}} (\\d+)");
        return match.Success && match.Groups[1].Value == "1";
    }
}
