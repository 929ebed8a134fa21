using Grpc.Core;
using Serving.Gateway.Tests.Infrastructure;
using Serving.Scaler.Tests.Infrastructure;

namespace Serving.Scaler.Tests.EndToEnd;

/// <summary>Redis dies and comes back mid-traffic: no inference request fails, the scaler degrades then recovers.</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task GatewaysKeepRoutingAndTheScalerServesLastValuesThenErrorsThenRecovers()
    {
        const string revision = "out-predictor-00001";
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await TestBackend.StartAsync("b");
        await using var scaler = await TestScaler.StartAsync(o => o with { Redis = redis.Endpoint, MaxStaleness = TimeSpan.FromSeconds(10) }); // long enough that a stalled machine does not read as an outage
        await using var gw1 = await TestGateway.StartAsync(o => o with { Redis = redis.Endpoint });
        await using var gw2 = await TestGateway.StartAsync(o => o with { Redis = redis.Endpoint });
        foreach (var gateway in new[] { gw1, gw2 })
        {
            gateway.Catalog.Set(Routes.Predictor("out", (revision, 100, null, [backend])));
        }

        var reference = TestScaler.Ref("out", revision);
        using var stop = new CancellationTokenSource();
        int failed = 0;
        int served = 0;
        var traffic = Task.WhenAll(new[] { gw1, gw2 }.Select(gateway => Task.Run(async () =>
        {
            for (int i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                var (status, _, response) = await gateway.SendAsync("out.default.example.com", "/v1/models/out:predict");
                response.Dispose();
                Interlocked.Increment(ref status == 200 ? ref served : ref failed);
                await Task.Delay(20);
            }
        })));

        await Eventually.HoldsAsync(() => scaler.Table.Count == 1, "the gateways' reports reach the scaler");
        await Eventually.HoldsAsync(async () => (await scaler.Client.IsActiveAsync(reference)).Result, "traffic makes the revision active");

        await redis.StopAsync();
        Assert.True((await scaler.Client.IsActiveAsync(reference)).Result); // last known values, within the bound
        RpcException? stale = null;
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    await scaler.Client.IsActiveAsync(reference);
                    return false; // still within the bound
                }
                catch (RpcException e)
                {
                    stale = e;
                    return true;
                }
            },
            "past the staleness bound the scaler errors",
            TimeSpan.FromSeconds(60));
        Assert.Equal(StatusCode.Unavailable, stale!.StatusCode);
        Assert.Contains("stale", stale.Status.Detail, StringComparison.Ordinal);

        await redis.StartAgainAsync();
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    return (await scaler.Client.IsActiveAsync(reference)).Result;
                }
                catch (RpcException)
                {
                    return false;
                }
            },
            "gateways and scaler reconnect by themselves",
            TimeSpan.FromSeconds(20));

        await stop.CancelAsync();
        await traffic;
        Assert.Equal(0, Volatile.Read(ref failed));
        Assert.True(Volatile.Read(ref served) > 100, $"only {served} requests were served");
    }
}
