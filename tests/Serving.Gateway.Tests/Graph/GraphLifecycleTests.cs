using System.Diagnostics;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Gateway.Model;
using Serving.Gateway.Tests.Infrastructure;
using static Serving.Gateway.Tests.Graph.GraphFixture;

namespace Serving.Gateway.Tests.Graph;

/// <summary>Graphs as served: status, hosts and the path form, cold starts, accounting, timeouts, cancellation, headers.</summary>
public sealed class GraphLifecycleTests
{
    private const string TwoSteps = """
        nodes:
          root:
            routerType: Sequence
            steps:
            - serviceName: a
              name: first
            - serviceName: b
              data: $response
        """;

    [Fact]
    public async Task Status_is_ready_only_while_every_referenced_service_exists()
    {
        await using var gateway = await TestGateway.StartAsync();
        var status = gateway.Graphs.Set(Spec(TwoSteps));
        var ready = status.Conditions!.Single();
        Assert.Equal(("Ready", ConditionStatus.False, "ServiceNotFound"), (ready.Type, ready.Status, ready.Reason));
        Assert.Contains("InferenceService default/a (step 'first' of node 'root')", ready.Message, StringComparison.Ordinal);
        Assert.Contains("InferenceService default/b (step '1' of node 'root')", ready.Message, StringComparison.Ordinal);
        Assert.Null(status.Url);

        var services = await ServicesAsync(gateway, "a", "b");
        var now = gateway.Graphs.StatusOf("default", "ig")!;
        Assert.Equal(ConditionStatus.True, now.Conditions!.Single().Status);
        Assert.Equal("http://ig.default.example.com", now.Url);
        Assert.NotNull(now.Conditions!.Single().LastTransitionTime);

        gateway.Catalog.Remove(new ServiceKey("default", "b"));
        Assert.Equal("ServiceNotFound", gateway.Graphs.Statuses.Single().Status.Conditions!.Single().Reason);
        Assert.True(gateway.Graphs.Remove("default", "ig"));
        Assert.Empty(gateway.Graphs.Statuses);
        Assert.Equal(404, (await gateway.PostAsync(GraphHost, "/", "{}")).Status);
        await DisposeAllAsync(services.Values);
    }

    [Theory]
    [InlineData("""
        nodes:
          root:
            routerType: Sequence
            steps:
            - nodeName: other
        """, "spec.nodes.root.steps[0].nodeName: node 'other' does not exist in the graph (nodes: root)")]
    [InlineData("""
        nodes:
          root:
            routerType: Sequence
            steps:
            - nodeName: a
          a:
            routerType: Switch
            steps:
            - nodeName: b
              condition: x
          b:
            routerType: Ensemble
            steps:
            - nodeName: a
        """, "spec.nodes: the graph has a cycle, a -> b -> a: a request would never finish")]
    [InlineData("""
        nodes:
          root:
            routerType: Switch
            steps:
            - serviceName: a
              condition: "predictions[0]"
        """, "spec.nodes.root.steps[0].condition: condition 'predictions[0]', position 12: '[' in a key: indexes are written with dots")]
    [InlineData("""
        nodes:
          root:
            routerType: Switch
            steps:
            - serviceName: a
        """, "spec.nodes.root.steps[0].condition: a Switch step needs a condition")]
    [InlineData("""
        nodes:
          root:
            routerType: Sequence
            steps:
            - serviceName: a
              condition: predictions
        """, "the first step of a Sequence has no previous response to test")]
    [InlineData("""
        nodes:
          root:
            routerType: Splitter
            steps:
            - serviceName: a
              weight: 70
            - serviceName: b
              weight: 20
        """, "the sum of traffic weights for all routing targets should be 100")]
    [InlineData("""
        nodes:
          main:
            routerType: Sequence
            steps:
            - serviceName: a
        """, "root node not found")]
    [InlineData("""
        routerTimeouts:
          serviceClient: 0
        nodes:
          root:
            routerType: Sequence
            steps:
            - serviceUrl: "ftp://example.com/x"
        """, "spec.nodes.root.steps[0].serviceUrl: 'ftp://example.com/x' is not an absolute http(s) URL; spec.routerTimeouts.serviceClient: must be a positive number of seconds, not 0")]
    public async Task Invalid_graphs_are_not_ready_with_a_message_and_answer_503_saying_why(string spec, string message)
    {
        await using var gateway = await TestGateway.StartAsync();
        var ready = gateway.Graphs.Set(Spec(spec)).Conditions!.Single();

        Assert.Equal((ConditionStatus.False, "InvalidGraph"), (ready.Status, ready.Reason));
        Assert.Contains(message, ready.Message, StringComparison.OrdinalIgnoreCase);
        var (status, body, response) = await gateway.PostAsync(GraphHost, "/", "{}");
        Assert.Equal(503, status);
        Assert.Contains("InferenceGraph default/ig is not ready", (string)JsonNode.Parse(body)!["error"]!, StringComparison.Ordinal);
        Assert.Contains(message, (string)JsonNode.Parse(body)!["error"]!, StringComparison.OrdinalIgnoreCase);
        response.Dispose();
    }

    [Fact]
    public async Task Path_form_and_cluster_local_hosts_reach_the_graph_and_an_isvc_of_the_same_name_wins()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "a", "b");
        services["b"].Respond = _ => (200, """{"graph":true}""");
        gateway.Graphs.Set(Spec(TwoSteps));

        var byPath = await gateway.PostAsync("localhost", "/serving/default/ig/v1/models/ig:predict", "{}");
        Assert.Equal((200, """{"graph":true}"""), (byPath.Status, byPath.Body));
        foreach (string host in new[] { "ig.default.svc.cluster.local", "ig.default.svc", "ig.default" })
        {
            var byHost = await gateway.PostAsync(host, "/", "{}");
            Assert.Equal((200, """{"graph":true}"""), (byHost.Status, byHost.Body));
        }

        await using var clash = await TestBackend.StartAsync("isvc-ig");
        gateway.Catalog.Set(Routes.Predictor("ig", ("ig-predictor-00001", 100, null, [clash])));
        Assert.Equal("isvc-ig", await gateway.ReplicaAsync(GraphHost));
        Assert.Equal("isvc-ig", await gateway.ReplicaAsync("ig.default.svc.cluster.local"));
        Assert.Equal("HostConflict", gateway.Graphs.StatusOf("default", "ig")!.Conditions!.Single().Reason);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task A_step_on_a_service_at_zero_replicas_is_held_cold_starts_and_is_counted()
    {
        var signal = new RecordingSignal();
        await using var gateway = await TestGateway.StartAsync(signal: signal);
        var services = await ServicesAsync(gateway, "a");
        await using var coldReplica = await TestBackend.StartAsync("b");
        gateway.Catalog.Set(Routes.Revision("b", "b-predictor-00001", 0)); // no replica yet
        gateway.Graphs.Set(Spec(TwoSteps));

        var request = gateway.PostAsync(GraphHost, "/", "{}");
        await WaitUntilAsync(() => gateway.Catalog.Held == 1);
        await WaitUntilAsync(() => signal.Activations.Any(k => k.Service == "b")); // signalled right after it is held
        var revision = gateway.Catalog.Revisions.Single(r => r.Key.Service == "b");
        Assert.Equal(1, revision.Stats.Concurrency); // held time counts, as for direct traffic

        gateway.Catalog.Set(Routes.Revision("b", "b-predictor-00001", 0, new EndpointRoute(coldReplica.Address, true)));
        var (status, body, _) = await request;

        Assert.Equal(200, status);
        Assert.Equal("""{"replica":"b","path":"/v1/models/b:predict"}""", body);
        Assert.Equal(1, revision.Stats.Arrivals);
        Assert.Equal(0, revision.Stats.Concurrency);
        Assert.Equal(1, gateway.Catalog.Revisions.Single(r => r.Key.Service == "a").Stats.Arrivals);
        Assert.Contains("gateway_cold_starts_total{namespace=\"default\",isvc=\"b\",revision=\"b-predictor-00001\"} 1", await gateway.AdminAsync("/metrics"));
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task V2_services_are_called_on_the_v2_infer_path()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var replica = await TestBackend.StartAsync("v2");
        gateway.Catalog.Set(Routes.Predictor("model", ("model-predictor-00001", 100, null, [replica])) with { ProtocolVersion = "v2" });
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: model
            """));

        var (_, body, _) = await gateway.PostAsync(GraphHost, "/", "{}");

        Assert.Equal("/v2/models/model/infer", (string)JsonNode.Parse(body)!["path"]!);
    }

    [Fact]
    public async Task A_step_past_router_timeouts_service_client_is_a_504_naming_the_step_and_is_cancelled()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "b");
        services["b"].Hold();
        // Only the held step: no step is expected to answer within 1 s, which a busy machine could miss on a first connection.
        gateway.Graphs.Set(Spec("""
            routerTimeouts:
              serviceClient: 1
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: b
            """));

        var clock = Stopwatch.StartNew();
        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", "{}");

        Assert.Equal(504, status);
        var error = JsonNode.Parse(body)!;
        Assert.Equal("Failed to process request", (string)error["error"]!);
        Assert.Equal("step '0' of node 'root' (InferenceService default/b) did not answer within 1 s", (string)error["cause"]!);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => services["b"].Cancelled == 1);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task A_client_that_leaves_cancels_every_branch()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "a", "b", "c");
        foreach (var backend in services.Values)
        {
            backend.Hold();
        }

        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Ensemble
                steps:
                - serviceName: a
                - nodeName: deeper
              deeper:
                routerType: Ensemble
                steps:
                - serviceName: b
                - serviceName: c
            """));

        using var leave = new CancellationTokenSource();
        var request = gateway.PostAsync(GraphHost, "/", "{}", cancellationToken: leave.Token);
        await WaitUntilAsync(() => services.Values.All(b => b.InFlight == 1));
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);

        await WaitUntilAsync(() => services.Values.All(b => b.Cancelled == 1));
        await WaitUntilAsync(() => gateway.Catalog.Revisions.All(r => r.Stats.Concurrency == 0));
        Assert.All(services.Values, b => Assert.Equal(0, b.Served));
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Service_url_steps_go_out_over_http_and_a_transport_failure_is_a_500()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var outside = await TestBackend.StartAsync("outside");
        outside.Respond = body => Echo("outside", body);
        gateway.Graphs.Set(Spec($"""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceUrl: {outside.Address}/v1/models/x:predict
            """));
        var ok = await gateway.PostAsync(GraphHost, "/", """{"q":1}""");
        Assert.Equal((200, """{"outside":{"q":1}}"""), (ok.Status, ok.Body));

        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceUrl: http://127.0.0.1:1/v1/models/x:predict
                  name: gone
            """));
        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", "{}");
        Assert.Equal(500, status);
        Assert.StartsWith("step 'gone' of node 'root': POST http://127.0.0.1:1/v1/models/x:predict failed", (string)JsonNode.Parse(body)!["cause"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_headers_matching_the_configured_patterns_reach_the_steps()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { GraphPropagateHeaders = ["^X-Request-Id$", "Authorization", "Test-.*"] });
        var services = await ServicesAsync(gateway, "a");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: a
            """));

        await gateway.PostAsync(GraphHost, "/", "{}", [new("x-request-id", "r-1"), new("Authorization", "Bearer t"), new("test-one", "1"), new("X-Request-Id-Not", "no"), new("Cookie", "c=1")]);

        var seen = services["a"].Headers.Single();
        Assert.Equal("r-1", (string)seen["X-Request-Id"]!);
        Assert.Equal("Bearer t", (string)seen["Authorization"]!);
        Assert.Equal("1", (string)seen["Test-One"]!);
        Assert.False(seen.ContainsKey("X-Request-Id-Not"));
        Assert.False(seen.ContainsKey("Cookie"));
        Assert.Equal("a", (string)seen["KServe-Isvc-Name"]!);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task A_bad_header_pattern_stops_the_gateway_from_starting()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => TestGateway.StartAsync(o => o with { GraphPropagateHeaders = ["X-("] }));
        Assert.Contains("graph header pattern 'X-(' is not a valid regular expression", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        await using var gateway = await TestGateway.StartAsync(o => o with { GraphMaxBodyBytes = 100 });
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceUrl: http://127.0.0.1:1/
            """));

        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", new string(' ', 200) + "{}");

        Assert.Equal(413, status);
        Assert.Contains("larger than 100 bytes", body, StringComparison.Ordinal);
    }
}
