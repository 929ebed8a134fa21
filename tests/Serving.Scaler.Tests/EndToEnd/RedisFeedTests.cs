using System.Diagnostics;
using Externalscaler;
using Grpc.Core;
using Serving.Gateway.Model;
using Serving.Gateway.Tests.Infrastructure;
using Serving.Scaler.Feed;
using Serving.Scaler.Tests.Infrastructure;

namespace Serving.Scaler.Tests.EndToEnd;

/// <summary>Gateways (in-process hosts and a real process) publish through a real Redis; a real scaler reads it.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisFeedTests(SharedRedis redis)
{
    private readonly string _prefix = SharedRedis.NewPrefix();

    [Fact]
    public async Task SumsThreeGatewaysExactlyAndALostReplicaCountsUntilItsReportExpires()
    {
        const string revision = "agg-predictor-00001";
        var id = new RevisionId("default", "agg", "predictor", revision);
        await using var backend = await TestBackend.StartAsync("b");
        backend.Hold();
        await using var scaler = await TestScaler.StartAsync(o => o with { Redis = redis.Endpoint, RedisPrefix = _prefix });
        await using var gw1 = await StartGatewayAsync("agg", revision, backend);
        await using var gw2 = await StartGatewayAsync("agg", revision, backend);
        await using var gw3 = await GatewayProcess.StartAsync("agg", revision, backend.Address, redis.Endpoint, _prefix);
        using var client3 = new HttpClient { BaseAddress = gw3.Inference };

        var requests = new List<Task<(int Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)>>();
        requests.AddRange(Enumerable.Range(0, 2).Select(_ => gw1.SendAsync("agg.default.example.com", "/v1/models/agg:predict")));
        requests.AddRange(Enumerable.Range(0, 3).Select(_ => gw2.SendAsync("agg.default.example.com", "/v1/models/agg:predict")));
        var lost = Send(client3, "agg.default.example.com");
        _ = lost.ContinueWith(t => t.Exception, TaskScheduler.Default);
        await Eventually.HoldsAsync(() => backend.InFlight == 6, "six requests reach the backend");

        await Eventually.HoldsAsync(() => scaler.Table.Find(id)?.Concurrency == 6, "the scaler sums 2 + 3 + 1");
        var request = new GetMetricsRequest
        {
            ScaledObjectRef = TestScaler.Ref("agg", revision, ("autoscaling.knative.dev/window", "6s")),
            MetricName = $"{revision}-concurrency",
        };
        await Eventually.HoldsAsync(
            async () => Math.Abs((await scaler.Client.GetMetricsAsync(request)).MetricValues.Single().MetricValueFloat - 6) < 1e-9,
            "GetMetrics reports exactly 6 once the 6 s window is full",
            TimeSpan.FromSeconds(150)); // a second a starved scaler misses counts 0 in its bucket and restarts the 6 s wait

        // The process dies with its request in flight: it counts until its report's time to live runs out.
        // (Checked when the kill took well under the 2 s TTL, as it almost always does: a starved machine can take longer.)
        var killed = Stopwatch.StartNew();
        await gw3.KillAsync();
        int afterKill = scaler.Table.Find(id)!.Concurrency;
        Assert.True(afterKill == 6 || killed.Elapsed > TimeSpan.FromSeconds(0.5), $"the lost replica stopped counting {killed.Elapsed} after its death: {afterKill}");
        // (How long after the kill it expires is not asserted: a publisher stalled before the kill left an older report.)
        await Eventually.HoldsAsync(() => scaler.Table.Find(id)?.Concurrency == 5, "the lost replica's report expires", TimeSpan.FromSeconds(30));

        backend.Release();
        foreach (var response in await Task.WhenAll(requests))
        {
            Assert.Equal(200, response.Status);
            response.Response.Dispose();
        }

        await Eventually.HoldsAsync(() => scaler.Table.Find(id)?.Concurrency == 0, "every request finished");
    }

    [Fact]
    public async Task AColdRequestIsPushedAtOnceAndSteadyActivityPushesNothing()
    {
        const string revision = "cold-predictor-00001";
        await using var backend = await TestBackend.StartAsync("b");
        await using var scaler = await TestScaler.StartAsync(o => o with { Redis = redis.Endpoint, RedisPrefix = _prefix });
        await using var gateway = await StartGatewayAsync("cold", revision, backend: null);
        await Eventually.HoldsAsync(() => scaler.Table.Count == 1, "the gateway's report reaches the scaler");

        using var stream = scaler.Client.StreamIsActive(TestScaler.Ref("cold", revision));
        var messages = new List<(bool Active, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        Assert.True(await stream.ResponseStream.MoveNext());
        Assert.False(stream.ResponseStream.Current.Result); // the current state on open
        var reading = Task.Run(async () =>
        {
            while (await stream.ResponseStream.MoveNext())
            {
                lock (messages)
                {
                    messages.Add((stream.ResponseStream.Current.Result, clock.Elapsed));
                }
            }
        });

        // A request at zero replicas: held by the activator, pushed to KEDA through Redis pub/sub.
        var sent = clock.Elapsed;
        var cold = gateway.SendAsync("cold.default.example.com", "/v1/models/cold:predict");
        await Eventually.HoldsAsync(() => { lock (messages) { return messages.Count > 0; } }, "a push arrives");
        var push = messages[0];
        Assert.True(push.Active);
        // Pushed, not found by KEDA's 30 s poll: the bound leaves a starved machine seconds; the benchmark measures the speed.
        Assert.True(push.At - sent < TimeSpan.FromSeconds(10), $"push took {(push.At - sent).TotalMilliseconds} ms");

        // A replica comes up: the held request is served; then steady traffic for 2 s pushes nothing more.
        gateway.Catalog.Set(Routes.Predictor("cold", (revision, 100, null, [backend])));
        var (status, _, response) = await cold;
        response.Dispose();
        Assert.Equal(200, status);
        for (var until = clock.Elapsed + TimeSpan.FromSeconds(2); clock.Elapsed < until;)
        {
            var (s, _, r) = await gateway.SendAsync("cold.default.example.com", "/v1/models/cold:predict");
            r.Dispose();
            Assert.Equal(200, s);
            await Task.Delay(50);
        }

        lock (messages)
        {
            Assert.Equal([true], messages.Select(m => m.Active));
        }
    }

    private async Task<TestGateway> StartGatewayAsync(string service, string revision, TestBackend? backend)
    {
        var gateway = await TestGateway.StartAsync(o => o with { Redis = redis.Endpoint, RedisPrefix = _prefix });
        gateway.Catalog.Set(backend is null
            ? Routes.Revision(service, revision, 0)
            : Routes.Predictor(service, (revision, 100, null, [backend])));
        return gateway;
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/agg:predict") { Content = new StringContent("{}") };
        request.Headers.Host = host;
        return await client.SendAsync(request);
    }
}
