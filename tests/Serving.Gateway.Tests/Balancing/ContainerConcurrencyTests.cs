using Serving.Gateway.Model;
using Serving.Gateway.Tests.Activation;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Balancing;

public sealed class ContainerConcurrencyTests
{
    private const string Host = "iris.default.example.com";

    [Fact]
    public async Task A_replica_at_its_container_concurrency_never_receives_more()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var replica = await TestBackend.StartAsync("r1");
        replica.Delay = TimeSpan.FromMilliseconds(30);
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 2, new EndpointRoute(replica.Address, true)));

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => gateway.SendAsync(Host, "/")));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(2, replica.MaxInFlight);
        Assert.Equal(40, replica.Served);
    }

    [Fact]
    public async Task Least_in_flight_spreads_load_and_respects_each_replicas_limit()
    {
        await using var gateway = await TestGateway.StartAsync();
        var replicas = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => TestBackend.StartAsync($"r{i}")));
        foreach (var replica in replicas)
        {
            replica.Hold();
        }

        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 4, [.. replicas.Select(r => new EndpointRoute(r.Address, true))]));

        var requests = Enumerable.Range(0, 30).Select(_ => gateway.SendAsync(Host, "/")).ToList();
        await ActivatorTests.WaitUntilAsync(() => replicas.Sum(r => r.InFlight) == 12 && gateway.Catalog.Held == 18);

        Assert.All(replicas, r => Assert.Equal(4, r.InFlight));
        foreach (var replica in replicas)
        {
            replica.Release();
        }

        Assert.All(await Task.WhenAll(requests), a => Assert.Equal(200, a.Status));
        Assert.All(replicas, r => Assert.Equal(4, r.MaxInFlight));
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }
    }
}
