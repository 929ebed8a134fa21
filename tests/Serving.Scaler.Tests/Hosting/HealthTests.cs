using Grpc.Core;
using Grpc.Health.V1;
using Serving.Scaler.Tests.Infrastructure;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Serving.Scaler.Tests.Hosting;

/// <summary>The gRPC health service follows the feed: NOT_SERVING once Redis has been gone longer than the staleness bound.</summary>
/// <remarks>
/// Runs alone: Watch streams follow the health publisher's timer, which other tests' load in this process (hundreds
/// of gRPC calls and Redis restarts) delayed past any sensible bound on a two-core machine.
/// </remarks>
[Collection(nameof(HealthTests))]
[CollectionDefinition(nameof(HealthTests), DisableParallelization = true)]
public sealed class HealthTests
{
    [Fact]
    public async Task NotServingWhileTheMetricsAreStaleAndServingAgainOnceRedisIsBack()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var scaler = await TestScaler.StartAsync(o => o with { Redis = redis.Endpoint, MaxStaleness = TimeSpan.FromSeconds(1) });
        var health = new Health.HealthClient(scaler.Channel);
        await Eventually.HoldsAsync(async () => await StatusAsync(health) == ServingStatus.Serving, "SERVING while Redis is there");

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = health.Watch(new HealthCheckRequest(), cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        await redis.StopAsync();
        await Eventually.HoldsAsync(async () => await StatusAsync(health) == ServingStatus.NotServing, "NOT_SERVING once the metrics are stale");
        await WatchedAsync(watch, ServingStatus.NotServing, previous: ServingStatus.Serving);

        await redis.StartAgainAsync();
        await Eventually.HoldsAsync(async () => await StatusAsync(health) == ServingStatus.Serving, "SERVING again after Redis returns", TimeSpan.FromSeconds(20));
        await WatchedAsync(watch, ServingStatus.Serving, previous: ServingStatus.NotServing);
    }

    /// <summary>Reads the Watch stream until <paramref name="expected"/>; repeats of <paramref name="previous"/> may come first.</summary>
    private static async Task WatchedAsync(AsyncServerStreamingCall<HealthCheckResponse> watch, ServingStatus expected, ServingStatus previous)
    {
        // The publisher runs every second; the bound leaves room for a loaded machine.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await watch.ResponseStream.MoveNext(limit.Token))
        {
            var status = watch.ResponseStream.Current.Status;
            if (status == expected)
            {
                return;
            }

            Assert.Equal(previous, status);
        }

        Assert.Fail($"the Watch stream ended before {expected}");
    }

    private static async Task<ServingStatus> StatusAsync(Health.HealthClient health) =>
        (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).Status;
}
