using System.Net;
using System.Net.Sockets;
using Serving.Gateway.Model;
using Serving.Gateway.Tests.Activation;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Proxy;

public sealed class ProxyTests
{
    private const string Host = "iris.default.example.com";

    [Fact]
    public async Task An_unreachable_replica_is_a_json_502()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute($"http://127.0.0.1:{ClosedPort()}", true)));

        var (status, body, response) = await gateway.SendAsync(Host, "/v1/models/iris:predict");
        response.Dispose();

        Assert.Equal(502, status);
        Assert.Contains("could not be reached", (string?)body!["error"]);
    }

    [Fact]
    public async Task Swapping_routing_snapshots_never_drops_or_moves_requests_in_flight()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        v1.Hold();
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [v1])));
        var inFlight = Enumerable.Range(0, 50).Select(_ => gateway.SendAsync(Host, "/")).ToList();
        await ActivatorTests.WaitUntilAsync(() => v1.InFlight == 50);

        for (int i = 0; i < 200; i++)
        {
            gateway.Catalog.Set(Routes.Predictor($"other-{i}", ("other-predictor-00001", 100, null, [v2])));
        }

        // Roll iris to a new revision: in-flight requests stay on the old one.
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00002", 100, null, [v2])));
        Assert.Equal("v2", await gateway.ReplicaAsync(Host));
        v1.Release();
        var answers = await Task.WhenAll(inFlight);

        Assert.All(answers, a => Assert.Equal((200, "v1"), (a.Status, (string?)a.Body!["replica"])));
    }

    [Fact]
    public async Task Requests_are_counted_from_arrival_to_completion_and_exposed()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var replica = await TestBackend.StartAsync("r1");
        replica.Hold();
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(replica.Address, true)));
        var revision = gateway.Catalog.Revisions.Single();

        var requests = Enumerable.Range(0, 5).Select(_ => gateway.SendAsync(Host, "/")).ToList();
        await ActivatorTests.WaitUntilAsync(() => revision.Stats.Concurrency == 5);
        Assert.Equal(5, revision.Stats.Arrivals);
        replica.Release();
        await Task.WhenAll(requests);

        Assert.Equal(0, revision.Stats.Concurrency);
        string metrics = await gateway.AdminAsync("/metrics");
        Assert.Contains("gateway_requests_total{namespace=\"default\",isvc=\"iris\",revision=\"iris-predictor-00001\",code=\"200\"} 5", metrics);
        Assert.Contains("gateway_request_duration_seconds_count{namespace=\"default\",isvc=\"iris\",revision=\"iris-predictor-00001\",code=\"200\"} 5", metrics);
        Assert.Contains("\"status\":\"ok\"", await gateway.AdminAsync("/healthz"));
    }

    [Fact]
    public async Task The_admin_port_is_not_the_inference_port()
    {
        await using var gateway = await TestGateway.StartAsync();

        var (status, _, response) = await gateway.SendAsync("localhost", "/metrics", HttpMethod.Get);
        response.Dispose();

        Assert.Equal(404, status); // /metrics on the inference port is just an unknown target
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
