using Serving.Controller.Api.V1Alpha1;
using Serving.Gateway.Model;
using Serving.Gateway.Sources;
using Serving.Gateway.Tests.Graph;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Sources;

/// <summary>The gateway fed through its route-source seam: what exists but cannot serve says why, graphs follow their services.</summary>
public sealed class RouteSourceTests
{
    [Fact]
    public async Task Routes_from_a_source_are_served_and_follow_its_updates()
    {
        var source = new InMemoryRouteSource();
        await using var gateway = await TestGateway.StartAsync(routes: source);
        await using var replica = await TestBackend.StartAsync("r1");

        Assert.Equal(404, (await gateway.SendAsync("iris.default.example.com", "/")).Status);
        source.Update(new RouteSnapshot([Routes.Predictor("iris", ("iris-predictor-00001", 100, null, [replica]))], []));
        Assert.Equal("r1", await gateway.ReplicaAsync("iris.default.example.com"));

        source.Update(RouteSnapshot.Empty);
        Assert.Equal(404, (await gateway.SendAsync("iris.default.example.com", "/")).Status);
    }

    [Fact]
    public async Task A_service_that_exists_but_cannot_serve_answers_503_with_its_reason_and_an_unknown_host_404()
    {
        var source = new InMemoryRouteSource();
        await using var gateway = await TestGateway.StartAsync(routes: source);
        source.Update(new RouteSnapshot(
            [new ServiceRoute("default", "sklearn-iris", new Dictionary<Component, ComponentRoute>()) { Problem = new ServiceProblem("NoSupportingRuntime", "no runtime serves sklearn") }],
            []));

        var (status, body, response) = await gateway.SendAsync("sklearn-iris.default.example.com", "/v1/models/sklearn-iris:predict");
        Assert.Equal(503, status);
        Assert.Equal("NoSupportingRuntime", (string?)body!["reason"]);
        Assert.Equal("InferenceService default/sklearn-iris cannot serve: no runtime serves sklearn", (string?)body["error"]);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Equal(503, (await gateway.SendAsync("localhost", "/serving/default/sklearn-iris/v1/models/x:predict")).Status);
        Assert.Equal(404, (await gateway.SendAsync("nothing.default.example.com", "/")).Status);
    }

    [Fact]
    public async Task A_graph_that_is_not_ready_answers_every_request_503_with_its_reason_and_serves_once_its_services_can()
    {
        var source = new InMemoryRouteSource();
        await using var gateway = await TestGateway.StartAsync(routes: source);
        await using var a = await TestBackend.StartAsync("a");
        a.Respond = body => GraphFixture.Echo("a", body);
        var graph = GraphFixture.Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: a
            """);
        var broken = new ServiceRoute("default", "a", new Dictionary<Component, ComponentRoute>()) { Problem = new ServiceProblem("RevisionFailed", "model not found") };
        source.Update(new RouteSnapshot([broken], [graph]));

        for (int i = 0; i < 20; i++)
        {
            var (status, body, _) = await gateway.SendAsync(GraphFixture.GraphHost, "/");
            Assert.Equal(503, status);
            Assert.Equal("ServiceNotReady", (string?)body!["reason"]);
        }

        var ready = gateway.Graphs.Statuses.Single().Status.Conditions!.Single();
        Assert.Equal(("False", "ServiceNotReady"), (ready.Status, ready.Reason));
        Assert.Contains("model not found", ready.Message, StringComparison.Ordinal);

        source.Update(new RouteSnapshot([Routes.Predictor("a", ("a-predictor-00001", 100, null, [a]))], [graph]));
        Assert.Equal(200, (await gateway.SendAsync(GraphFixture.GraphHost, "/")).Status);
        Assert.Equal("True", gateway.Graphs.Statuses.Single().Status.Conditions!.Single().Status);
    }

    [Fact]
    public async Task A_graph_response_says_X_Cold_Start_when_a_step_waited_for_a_start()
    {
        var source = new InMemoryRouteSource();
        await using var gateway = await TestGateway.StartAsync(routes: source);
        await using var a = await TestBackend.StartAsync("a");
        a.Respond = body => GraphFixture.Echo("a", body);
        var graph = GraphFixture.Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: a
            """);
        source.Update(new RouteSnapshot([Routes.Revision("a", "a-predictor-00001", 0)], [graph])); // at zero replicas
        var held = gateway.SendAsync(GraphFixture.GraphHost, "/");
        await ActivatorTestsWait.UntilAsync(() => gateway.Catalog.Held == 1);

        source.Update(new RouteSnapshot([Routes.Predictor("a", ("a-predictor-00001", 100, null, [a]))], [graph]));
        var (status, _, response) = await held;

        Assert.Equal(200, status);
        Assert.Equal("true", response.Headers.GetValues("X-Cold-Start").Single());
        var (_, _, warm) = await gateway.SendAsync(GraphFixture.GraphHost, "/");
        Assert.False(warm.Headers.Contains("X-Cold-Start"));
    }
}

internal static class ActivatorTestsWait
{
    public static Task UntilAsync(Func<bool> condition) => Activation.ActivatorTests.WaitUntilAsync(condition);
}
