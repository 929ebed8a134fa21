using Grpc.Core;
using Grpc.Health.V1;
using Serving.Scaler.Tests.Infrastructure;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace Serving.Scaler.Tests.Hosting;

/// <summary>The gRPC health service follows the feed: NOT_SERVING once Redis has been gone longer than the staleness bound.</summary>
/// <remarks>Runs alone: it stops and restarts its Redis.</remarks>
[Collection(nameof(HealthTests))]
[CollectionDefinition(nameof(HealthTests), DisableParallelization = true)]
public sealed class HealthTests
{
    [Fact]
    public async Task NotServingWhileTheMetricsAreStaleAndServingAgainOnceRedisIsBack()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var scaler = await TestScaler.StartAsync(o => o with { Redis = redis.Endpoint, MaxStaleness = TimeSpan.FromSeconds(10) }); // a stall shorter than this is not an outage
        var health = new Health.HealthClient(scaler.Channel);
        await Eventually.HoldsAsync(async () => await StatusAsync(health) == ServingStatus.Serving, "SERVING while Redis is there");

        // A Watch stream opens with the current status (its updates follow the health publisher's 1 s timer; they
        // were not observed reliably under the whole suite's load, so only the opening message is asserted).
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = health.Watch(new HealthCheckRequest(), cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);

        await redis.StopAsync();
        await Eventually.HoldsAsync(async () => await StatusAsync(health) == ServingStatus.NotServing, "NOT_SERVING once the metrics are stale", TimeSpan.FromSeconds(60));

        await redis.StartAgainAsync();
        await Eventually.HoldsAsync(async () => await StatusAsync(health) == ServingStatus.Serving, "SERVING again after Redis returns", TimeSpan.FromSeconds(60));
    }

    private static async Task<ServingStatus> StatusAsync(Health.HealthClient health) =>
        (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5))).Status;
}
