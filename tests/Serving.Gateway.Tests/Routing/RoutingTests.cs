using Serving.Gateway.Model;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Routing;

public sealed class RoutingTests : IAsyncLifetime
{
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;
    private TestBackend _transformer = null!;
    private TestBackend _explainer = null!;

    public async Task InitializeAsync()
    {
        _v1 = await TestBackend.StartAsync("v1");
        _v2 = await TestBackend.StartAsync("v2");
        _transformer = await TestBackend.StartAsync("transformer");
        _explainer = await TestBackend.StartAsync("explainer");
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in new[] { _v1, _v2, _transformer, _explainer })
        {
            await backend.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(90)]
    public async Task Canary_split_is_within_one_and_a_half_points_over_10000_requests(int canaryPercent)
    {
        await using var gateway = await TestGateway.StartAsync(draw: new SeededDraw(canaryPercent));
        gateway.Catalog.Set(Canary(canaryPercent));
        int toCanary = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 10_000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            if (await gateway.ReplicaAsync("iris.default.example.com") == "v2")
            {
                Interlocked.Increment(ref toCanary);
            }
        });

        Assert.InRange(toCanary / 100.0, canaryPercent - 1.5, canaryPercent + 1.5);
    }

    [Fact]
    public async Task Split_is_exact_with_an_evenly_spread_draw()
    {
        await using var gateway = await TestGateway.StartAsync(draw: new CyclingDraw());
        gateway.Catalog.Set(Canary(30));

        var replicas = new List<string>();
        for (int i = 0; i < 200; i++)
        {
            replicas.Add(await gateway.ReplicaAsync("iris.default.example.com"));
        }

        Assert.Equal(60, replicas.Count(r => r == "v2"));
    }

    [Fact]
    public async Task Tag_hosts_pin_their_revision()
    {
        await using var gateway = await TestGateway.StartAsync(draw: new CyclingDraw());
        gateway.Catalog.Set(Canary(50));

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("v2", await gateway.ReplicaAsync("latest-iris-predictor.default.example.com"));
            Assert.Equal("v1", await gateway.ReplicaAsync("prev-iris-predictor.default.example.com"));
        }
    }

    [Fact]
    public async Task Component_hosts_path_form_and_host_spelling()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [_v1])));

        Assert.Equal("v1", await gateway.ReplicaAsync("iris.default.example.com"));
        Assert.Equal("v1", await gateway.ReplicaAsync("iris-predictor.default.example.com"));
        Assert.Equal("v1", await gateway.ReplicaAsync("IRIS.Default.Example.COM:8080"));
        var (status, body, response) = await gateway.SendAsync("127.0.0.1", "/serving/default/iris/v1/models/iris:predict?x=1");
        response.Dispose();
        Assert.Equal(200, status);
        Assert.Equal("/v1/models/iris:predict", (string?)body!["path"]);
        var headers = _v1.Headers.Last();
        Assert.Equal("/serving/default/iris", headers["X-Forwarded-Prefix"].ToString());
    }

    [Theory]
    [InlineData("iris.default.svc.cluster.local")]
    [InlineData("iris.default.svc")]
    [InlineData("iris.default")]
    [InlineData("IRIS.default.SVC.cluster.local:80")]
    public async Task Cluster_local_hosts_route_like_the_external_host(string host)
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Service(
            "iris",
            (Component.Predictor, [("iris-predictor-00001", 100, null, [_v1])], 0),
            (Component.Explainer, [("iris-explainer-00001", 100, null, [_explainer])], 0)));

        Assert.Equal("v1", await gateway.ReplicaAsync(host, "/v1/models/iris:predict"));
        Assert.Equal("explainer", await gateway.ReplicaAsync(host, "/v1/models/iris:explain"));
        var (status, _, response) = await gateway.SendAsync("iris.other.svc.cluster.local", "/v1/models/iris:predict");
        response.Dispose();
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task A_domain_of_svc_cluster_local_keeps_every_host_it_gives()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { Domain = "svc.cluster.local" });
        gateway.Catalog.Set(Routes.Service(
            "iris",
            (Component.Predictor, [("iris-predictor-00001", 100, null, [_v1])], 0),
            (Component.Transformer, [("iris-transformer-00001", 100, null, [_transformer])], 0)));

        Assert.Equal("transformer", await gateway.ReplicaAsync("iris.default.svc.cluster.local"));
        Assert.Equal("transformer", await gateway.ReplicaAsync("iris.default.svc"));
        Assert.Equal("transformer", await gateway.ReplicaAsync("iris.default"));
        Assert.Equal("v1", await gateway.ReplicaAsync("iris-predictor.default.svc.cluster.local"));
    }

    [Fact]
    public async Task Explain_goes_to_the_explainer_and_the_rest_to_the_transformer()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Service(
            "fraud",
            (Component.Predictor, [("fraud-predictor-00001", 100, null, [_v1])], 0),
            (Component.Transformer, [("fraud-transformer-00001", 100, null, [_transformer])], 0),
            (Component.Explainer, [("fraud-explainer-00001", 100, null, [_explainer])], 0)));

        Assert.Equal("transformer", await gateway.ReplicaAsync("fraud.default.example.com", "/v1/models/fraud:predict"));
        Assert.Equal("explainer", await gateway.ReplicaAsync("fraud.default.example.com", "/v1/models/fraud:explain"));
        Assert.Equal("v1", await gateway.ReplicaAsync("fraud-predictor.default.example.com", "/v1/models/fraud:predict"));
    }

    [Fact]
    public async Task Unknown_targets_get_a_json_404()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [_v1])));

        var (status, body, response) = await gateway.SendAsync("nope.default.example.com", "/v1/models/nope:predict");
        var (pathStatus, pathBody, pathResponse) = await gateway.SendAsync("127.0.0.1", "/serving/other/iris/v1/models/iris:predict");
        response.Dispose();
        pathResponse.Dispose();

        Assert.Equal(404, status);
        Assert.Equal("no InferenceService serves host 'nope.default.example.com' or path '/v1/models/nope:predict'", (string?)body!["error"]);
        Assert.Equal(404, pathStatus);
        Assert.Contains("/serving/other/iris", (string?)pathBody!["error"]);
    }

    [Fact]
    public async Task Replicas_see_kserve_and_forwarded_headers()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [_v1])));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/iris:predict") { Content = new StringContent("{}") };
        request.Headers.Host = "iris.default.example.com";
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");

        using var response = await gateway.Client.SendAsync(request);

        var headers = _v1.Headers.Last();
        Assert.Equal("iris", headers["KServe-Isvc-Name"].ToString());
        Assert.Equal("default", headers["KServe-Isvc-Namespace"].ToString());
        Assert.Equal("127.0.0.1", headers["X-Forwarded-For"].ToString()); // the client is no trusted proxy: its claim is dropped
        Assert.Equal("http", headers["X-Forwarded-Proto"].ToString());
        Assert.Equal("iris.default.example.com", headers["X-Forwarded-Host"].ToString());
    }

    [Fact]
    public async Task Bad_routes_are_rejected_with_a_message_and_the_previous_routes_stay()
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Catalog.Set(Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [_v1])));

        var sum = Assert.Throws<ArgumentException>(() => gateway.Catalog.Set(Routes.Predictor("iris", ("a", 60, null, [_v1]), ("b", 30, null, [_v2]))));
        var unknown = Assert.Throws<ArgumentException>(() => gateway.Catalog.Set(new ServiceRoute("default", "iris", new Dictionary<Component, ComponentRoute>
        {
            [Component.Predictor] = new([new TrafficTarget("ghost", 100)], []),
        })));

        Assert.Equal("InferenceService default/iris predictor: traffic percentages must be 0-100 and add up to 100, got 60 + 30", sum.Message);
        Assert.Contains("traffic names revision 'ghost'", unknown.Message);
        Assert.Equal("v1", await gateway.ReplicaAsync("iris.default.example.com"));
    }

    private ServiceRoute Canary(int percent) => Routes.Predictor(
        "iris", ("iris-predictor-00002", percent, "latest", [_v2]), ("iris-predictor-00001", 100 - percent, "prev", [_v1]));
}
