using System.Text.Json.Nodes;
using Serving.Controller.Api.V1Alpha1;
using Serving.Gateway.Auth;
using Serving.Gateway.Sources;
using Serving.Gateway.Tests.Graph;
using Serving.Gateway.Tests.Infrastructure;
using static Serving.Gateway.Tests.Auth.AuthFixture;

namespace Serving.Gateway.Tests.Auth;

/// <summary>
/// Auth on InferenceGraphs: the graph's own policy is checked before the graph runs, and a graph is no way around a
/// protected service (its steps on that service are checked with the graph caller's credentials).
/// </summary>
public sealed class GraphAuthTests
{
    private static readonly InferenceGraph Sequence = GraphFixture.Spec("""
        nodes:
          root:
            routerType: Sequence
            steps:
            - serviceName: a
        """);

    [Fact]
    public async Task A_protected_graph_refuses_before_running_and_its_steps_never_see_the_key()
    {
        // Even with the credential headers propagated (KServe's router.headers.propagate), the graph removed them first.
        await using var gateway = await TestGateway.StartAsync(o => Options("direct", KeysFile())(o) with { GraphPropagateHeaders = ["Authorization", "X-Api-Key"] });
        var backends = await GraphFixture.ServicesAsync(gateway, "a");
        backends["a"].Respond = body => GraphFixture.Echo("a", body);
        gateway.Graphs.Set(Annotated(Sequence, (AuthAnnotations.Mode, "api-key"), (AuthAnnotations.ApiKeys, "team-a")));

        var (status, body, response) = await gateway.PostAsync(GraphFixture.GraphHost, "/", "{}");
        Assert.Equal(401, status);
        Assert.Equal("InferenceGraph default/ig: an API key is required (X-Api-Key or Authorization: Bearer)", (string?)JsonNode.Parse(body)!["error"]);
        Assert.Equal("Bearer realm=\"default/ig\"", Challenge(response));
        Assert.Equal(403, (await gateway.PostAsync(GraphFixture.GraphHost, "/", "{}", Header("X-Api-Key", Ci))).Status);
        Assert.Equal(0, backends["a"].Served);

        (status, body, _) = await gateway.PostAsync(GraphFixture.GraphHost, "/", "{\"x\":1}", Header("X-Api-Key", TeamA));
        Assert.Equal(200, status);
        Assert.Equal("""{"a":{"x":1}}""", body);
        Assert.False(SawCredentials(backends["a"]));
        Assert.Contains("kind=\"InferenceGraph\",reason=\"missing\"", await gateway.AdminAsync("/metrics"), StringComparison.Ordinal);
        await GraphFixture.DisposeAllAsync(backends.Values);
    }

    [Fact]
    public async Task A_step_on_a_protected_service_is_checked_with_the_graph_callers_credentials()
    {
        await using var gateway = await TestGateway.StartAsync(o => Options("direct", KeysFile())(o) with { GraphPropagateHeaders = ["Authorization", "X-Api-Key"] });
        var backends = await GraphFixture.ServicesAsync(gateway, "a");
        backends["a"].Respond = body => GraphFixture.Echo("a", body);
        gateway.Catalog.Set(Routes.Predictor("a", ("a-predictor-00001", 100, null, [backends["a"]])) with { Auth = ApiKeys("team-a") });
        gateway.Graphs.Set(Sequence); // the graph itself is open

        var (status, body, _) = await gateway.PostAsync(GraphFixture.GraphHost, "/", "{}");
        Assert.Equal(401, status); // the step's answer, as a direct caller of the service would get it
        Assert.Equal("InferenceService default/a: an API key is required (X-Api-Key or Authorization: Bearer)", (string?)JsonNode.Parse(body)!["error"]);
        Assert.Equal(403, (await gateway.PostAsync(GraphFixture.GraphHost, "/", "{}", Header("X-Api-Key", Ci))).Status);
        Assert.Equal(0, backends["a"].Served);
        Assert.Equal(0L, gateway.Catalog.Revisions.Single().Stats.Arrivals);

        Assert.Equal(200, (await gateway.PostAsync(GraphFixture.GraphHost, "/", "{}", Header("X-Api-Key", TeamA))).Status);
        Assert.Equal(TeamA, backends["a"].Headers.Single()["X-Api-Key"].ToString()); // an open graph passes what it propagates
        await GraphFixture.DisposeAllAsync(backends.Values);
    }

    [Fact]
    public async Task A_graph_whose_auth_annotations_cannot_be_followed_is_not_ready_and_refuses_every_request()
    {
        var source = new InMemoryRouteSource();
        await using var gateway = await TestGateway.StartAsync(Options("direct", KeysFile()), routes: source);
        await using var a = await TestBackend.StartAsync("a");
        source.Update(new RouteSnapshot(
            [Routes.Predictor("a", ("a-predictor-00001", 100, null, [a]))],
            [Annotated(Sequence, (AuthAnnotations.Mode, "api-keys"))]));

        var (status, body, _) = await gateway.PostAsync(GraphFixture.GraphHost, "/", "{}", Header("X-Api-Key", TeamA));

        Assert.Equal(503, status);
        Assert.Equal(ServiceRoutes.InvalidAuth, (string?)JsonNode.Parse(body)!["reason"]);
        Assert.Equal("InferenceGraph default/ig is not ready: serving.kserve.io/auth: unknown mode 'api-keys' (api-key, jwt or none)", (string?)JsonNode.Parse(body)!["error"]);
        var ready = gateway.Graphs.Statuses.Single().Status.Conditions!.Single();
        Assert.Equal(("False", ServiceRoutes.InvalidAuth), (ready.Status, ready.Reason));
        Assert.Equal(0, a.Served);
    }

    private static InferenceGraph Annotated(InferenceGraph graph, params (string Key, string Value)[] annotations) =>
        graph with { Metadata = annotations.Aggregate(graph.Metadata, (m, a) => m.WithAnnotation(a.Key, a.Value)) };
}
