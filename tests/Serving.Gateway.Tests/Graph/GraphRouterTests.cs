using System.Text.Json.Nodes;
using Serving.Gateway.Tests.Infrastructure;
using static Serving.Gateway.Tests.Graph.GraphFixture;

namespace Serving.Gateway.Tests.Graph;

/// <summary>Each router type through a real gateway and real Kestrel backends, against KServe's router semantics (§4.4).</summary>
public sealed class GraphRouterTests
{
    private const string Failed = "Failed to process request";

    [Fact]
    public async Task Sequence_passes_the_response_on_and_answers_with_the_last_step()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "a", "b", "c");
        services["a"].Respond = body => Echo("a", body);
        services["b"].Respond = body => Echo("b", body);
        services["c"].Respond = body => (201, """{"c":"done"}""");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: a
                - serviceName: b
                  data: $response
                - serviceName: c
                  data: $request
            """));

        var (status, body, response) = await gateway.PostAsync(GraphHost, "/anything", """{"x":1}""");

        Assert.Equal(201, status); // the last step's status
        Assert.Equal("""{"c":"done"}""", body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"x":1}""", services["a"].Bodies.Single());
        Assert.Equal("""{"a":{"x":1}}""", services["b"].Bodies.Single());
        Assert.Equal("""{"x":1}""", services["c"].Bodies.Single()); // $request (anything but $response) is the node's input
        var seen = services["a"].Headers.Single();
        Assert.Equal("a", (string)seen["KServe-Isvc-Name"]!);
        Assert.Equal("default", (string)seen["KServe-Isvc-Namespace"]!);
        Assert.Equal("application/json", (string)seen.ContentType!);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Sequence_maps_predictions_to_instances_when_asked()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "scaler", "model");
        services["scaler"].Respond = _ => (200, """{"predictions":[[0.5,1.5]],"model_name":"scaler"}""");
        services["model"].Respond = body => Echo("model", body);
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: scaler
                - serviceName: model
                  data: $response
                  mapPredictionsToInstances: true
            """));

        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", """{"instances":[[1,2]]}""");

        Assert.Equal(200, status);
        Assert.Equal("""{"instances":[[0.5,1.5]]}""", services["model"].Bodies.Single());
        Assert.Equal("""{"model":{"instances":[[0.5,1.5]]}}""", body);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Sequence_condition_on_the_previous_response_stops_with_200_when_it_does_not_hold()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "classifier", "dog-breed");
        services["classifier"].Respond = body => (200, body.Contains("bark", StringComparison.Ordinal) ? """{"predictions":["dog"]}""" : """{"predictions":["cat"]}""");
        services["dog-breed"].Respond = _ => (200, """{"breed":"beagle"}""");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: classifier
                - serviceName: dog-breed
                  condition: "[@this].#(predictions.0==\"dog\")"
            """));

        var dog = await gateway.PostAsync(GraphHost, "/", """{"sound":"bark"}""");
        var cat = await gateway.PostAsync(GraphHost, "/", """{"sound":"meow"}""");

        Assert.Equal((200, """{"breed":"beagle"}"""), (dog.Status, dog.Body));
        Assert.Equal((200, """{"predictions":["cat"]}"""), (cat.Status, cat.Body));
        Assert.Single(services["dog-breed"].Bodies);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Sequence_condition_on_a_response_that_is_not_json_is_a_500()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "a", "b");
        services["a"].Respond = _ => (200, "plain text");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: a
                - serviceName: b
                  condition: predictions
            """));

        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", "{}");

        Assert.Equal(500, status);
        var error = JsonNode.Parse(body)!;
        Assert.Equal(Failed, (string)error["error"]!);
        Assert.StartsWith("invalid response", (string)error["cause"]!, StringComparison.Ordinal);
        Assert.Empty(services["b"].Bodies);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Sequence_soft_failures_go_on_and_hard_failures_stop()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "flaky", "next");
        services["flaky"].Respond = _ => (500, """{"error":"model crashed"}""");
        services["next"].Respond = body => Echo("next", body);

        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: flaky
                - serviceName: next
                  data: $response
            """));
        var soft = await gateway.PostAsync(GraphHost, "/", "{}");
        Assert.Equal(200, soft.Status);
        Assert.Equal("""{"next":{"error":"model crashed"}}""", soft.Body); // the soft failure's body fed the next step

        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: flaky
                  dependency: Hard
                - serviceName: next
                  data: $response
            """));
        var hard = await gateway.PostAsync(GraphHost, "/", "{}");
        Assert.Equal(500, hard.Status);
        Assert.Equal("""{"error":"model crashed"}""", hard.Body); // the failing step's own answer
        Assert.Single(services["next"].Bodies);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Splitter_sends_exactly_80_20_over_100_draws()
    {
        await using var gateway = await TestGateway.StartAsync(splitterDraw: new CyclingDraw());
        var services = await ServicesAsync(gateway, "big", "small");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Splitter
                steps:
                - serviceName: big
                  weight: 80
                - serviceName: small
                  weight: 20
            """));

        var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => gateway.PostAsync(GraphHost, "/", "{}")));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.Equal(80, services["big"].Served);
        Assert.Equal(20, services["small"].Served);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Splitter_returns_the_chosen_steps_answer_as_is_even_when_hard_and_failing()
    {
        await using var gateway = await TestGateway.StartAsync(splitterDraw: new CyclingDraw());
        var services = await ServicesAsync(gateway, "only");
        services["only"].Respond = _ => (429, """{"error":"slow down"}""");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Splitter
                steps:
                - serviceName: only
                  weight: 100
                  dependency: Hard
            """));

        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", "{}");

        Assert.Equal((429, """{"error":"slow down"}"""), (status, body));
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Ensemble_runs_steps_in_parallel_and_merges_objects_under_name_or_index()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "m1", "m2", "m3");
        services["m1"].Respond = _ => (200, """{"predictions":[1]}""");
        services["m2"].Respond = _ => (503, """{"error":"busy"}""");
        services["m3"].Respond = _ => (200, """{"predictions":[3]}""");
        foreach (var backend in services.Values)
        {
            backend.Hold();
        }

        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Ensemble
                steps:
                - serviceName: m1
                  name: first
                - serviceName: m2
                - serviceName: m3
                  name: third
            """));

        var request = gateway.PostAsync(GraphHost, "/", """{"instances":[1]}""");
        await WaitUntilAsync(() => services.Values.All(b => b.InFlight == 1)); // all three at once
        foreach (var backend in services.Values)
        {
            backend.Release();
        }

        var (status, body, _) = await request;

        Assert.Equal(200, status);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"1":{"error":"busy"},"first":{"predictions":[1]},"third":{"predictions":[3]}}"""), JsonNode.Parse(body)), body);
        Assert.StartsWith("""{"1":""", body, StringComparison.Ordinal); // keys sorted, as Go's json.Marshal writes a map
        Assert.All(services.Values, b => Assert.Equal("""{"instances":[1]}""", b.Bodies.Single()));
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Ensemble_hard_failure_answers_for_the_node_and_cancels_the_steps_still_running()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "fails", "slow1", "slow2");
        services["fails"].Respond = _ => (503, """{"error":"no capacity"}""");
        services["slow1"].Hold();
        services["slow2"].Hold();
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Ensemble
                steps:
                - serviceName: fails
                  dependency: Hard
                - serviceName: slow1
                - serviceName: slow2
            """));

        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", "{}");

        Assert.Equal((503, """{"error":"no capacity"}"""), (status, body));
        // Nothing of this request is left in flight in the gateway once it has answered.
        Assert.All(gateway.Catalog.Revisions, r => Assert.Equal(0, r.Stats.Concurrency));
        await WaitUntilAsync(() => services["slow1"].Cancelled == 1 && services["slow2"].Cancelled == 1);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Ensemble_step_that_does_not_answer_an_object_fails_the_node_with_500()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "ok", "array");
        services["array"].Respond = _ => (200, "[1,2]");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Ensemble
                steps:
                - serviceName: ok
                - serviceName: array
                  name: arr
            """));

        var (status, body, _) = await gateway.PostAsync(GraphHost, "/", "{}");

        Assert.Equal(500, status);
        Assert.Contains("step 'arr' of ensemble node 'root'", (string)JsonNode.Parse(body)!["cause"]!, StringComparison.Ordinal);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Switch_takes_the_first_step_whose_condition_holds_on_the_input_and_404s_when_none_does()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "big", "any", "never");
        services["big"].Respond = _ => (200, """{"route":"big"}""");
        services["any"].Respond = _ => (202, """{"route":"any"}""");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Switch
                steps:
                - serviceName: big
                  condition: instances.#(intval>10)
                - serviceName: any
                  condition: instances.#(intval>0)
                - serviceName: never
                  condition: instances.#(intval>0)
            """));

        var big = await gateway.PostAsync(GraphHost, "/", """{"instances":[{"intval":3},{"intval":11}]}""");
        var small = await gateway.PostAsync(GraphHost, "/", """{"instances":[{"intval":3}]}""");
        var none = await gateway.PostAsync(GraphHost, "/", """{"instances":[{"intval":-1}]}""");
        var notJson = await gateway.PostAsync(GraphHost, "/", "not json");

        Assert.Equal((200, """{"route":"big"}"""), (big.Status, big.Body));
        Assert.Equal((202, """{"route":"any"}"""), (small.Status, small.Body));
        foreach (var miss in new[] { none, notJson })
        {
            Assert.Equal(404, miss.Status);
            Assert.Equal("application/json", miss.Response.Content.Headers.ContentType?.MediaType);
            var error = JsonNode.Parse(miss.Body)!;
            Assert.Equal(Failed, (string)error["error"]!);
            Assert.Equal("None of the routes matched with the switch condition", (string)error["cause"]!);
        }

        Assert.Empty(services["never"].Bodies);
        await DisposeAllAsync(services.Values);
    }

    [Fact]
    public async Task Node_steps_recurse_and_a_failure_below_a_step_is_a_500_above_it()
    {
        await using var gateway = await TestGateway.StartAsync();
        var services = await ServicesAsync(gateway, "pre", "a", "b");
        services["pre"].Respond = body => (200, body);
        services["a"].Respond = _ => (200, """{"from":"a"}""");
        services["b"].Respond = _ => (200, """{"from":"b"}""");
        gateway.Graphs.Set(Spec("""
            nodes:
              root:
                routerType: Sequence
                steps:
                - serviceName: pre
                - nodeName: pick
                  data: $response
              pick:
                routerType: Ensemble
                steps:
                - nodeName: choose
                  name: chosen
                - serviceName: b
                  name: b
              choose:
                routerType: Switch
                steps:
                - serviceName: a
                  condition: kind.#(=="a")
            """));

        var ok = await gateway.PostAsync(GraphHost, "/", """{"kind":["a"]}""");
        var nested404 = await gateway.PostAsync(GraphHost, "/", """{"kind":["z"]}""");

        Assert.Equal((200, """{"b":{"from":"b"},"chosen":{"from":"a"}}"""), (ok.Status, ok.Body));
        Assert.Equal(500, nested404.Status); // KServe: the Switch's 404 is an error of the step above it
        Assert.Equal("None of the routes matched with the switch condition", (string)JsonNode.Parse(nested404.Body)!["cause"]!);
        await DisposeAllAsync(services.Values);
    }
}
