using System.Text.Json.Nodes;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Protocol;

public sealed class V2EndpointTests
{
    private const string Versicolor = """{"id":"req-7","inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4]]}]}""";

    [Fact]
    public async Task Health_and_server_metadata()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");

        var (live, liveBody) = await runtime.GetJsonAsync("/v2/health/live");
        var (ready, readyBody) = await runtime.GetJsonAsync("/v2/health/ready");
        var (meta, server) = await runtime.GetJsonAsync("/v2");

        Assert.Equal((200, true), (live, liveBody!["live"]!.GetValue<bool>()));
        Assert.Equal((200, true), (ready, readyBody!["ready"]!.GetValue<bool>()));
        Assert.Equal(200, meta);
        Assert.Equal("serving-runtime", (string?)server!["name"]);
        Assert.Equal("cpu", (string?)server["device"]);
        Assert.Contains("binary_tensor_data", server["extensions"]!.AsArray().Select(e => (string?)e));
    }

    [Fact]
    public async Task Model_list_metadata_and_readiness()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");

        var (_, list) = await runtime.GetJsonAsync("/v2/models");
        var (status, meta) = await runtime.GetJsonAsync("/v2/models/iris");
        var (readyStatus, ready) = await runtime.GetJsonAsync("/v2/models/iris/ready");

        Assert.Equal(["iris"], list!["models"]!.AsArray().Select(m => (string?)m));
        Assert.Equal(200, status);
        Assert.Equal("onnxruntime_onnx", (string?)meta!["platform"]);
        Assert.Equal("""[{"name":"float_input","datatype":"FP32","shape":[-1,4]}]""", meta["inputs"]!.ToJsonString());
        Assert.Equal(
            """[{"name":"label","datatype":"INT64","shape":[-1]},{"name":"probabilities","datatype":"FP32","shape":[-1,3]}]""",
            meta["outputs"]!.ToJsonString());
        Assert.Equal((200, true), (readyStatus, ready!["ready"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Infer_answers_the_walkthrough_classes_and_echoes_the_id()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");

        var (status, body) = await runtime.PostJsonAsync("/v2/models/iris/infer", Versicolor);

        Assert.Equal(200, status);
        Assert.Equal("iris", (string?)body!["model_name"]);
        Assert.Equal("req-7", (string?)body["id"]);
        Assert.Null(body["model_version"]);
        var label = body["outputs"]!.AsArray().Single(o => (string?)o!["name"] == "label")!;
        Assert.Equal("INT64", (string?)label["datatype"]);
        Assert.Equal("[1]", label["shape"]!.ToJsonString());
        Assert.Equal("[1]", label["data"]!.ToJsonString());
        var probabilities = body["outputs"]!.AsArray().Single(o => (string?)o!["name"] == "probabilities")!;
        Assert.Equal(1.0, probabilities["data"]!.AsArray().Sum(p => (double)p!), 4);
    }

    [Fact]
    public async Task Nested_and_flat_data_mean_the_same()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");
        const string Flat = """{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4,5.1,3.5,1.4,0.2]}]}""";
        const string Nested = """{"inputs":[{"name":"float_input","shape":[2,4],"datatype":"FP32","data":[[6.8,2.8,4.8,1.4],[5.1,3.5,1.4,0.2]]}]}""";

        var (_, flat) = await runtime.PostJsonAsync("/v2/models/iris/infer", Flat);
        var (_, nested) = await runtime.PostJsonAsync("/v2/models/iris/infer", Nested);

        Assert.Equal(flat!["outputs"]!.ToJsonString(), nested!["outputs"]!.ToJsonString());
        Assert.Equal("[1,0]", flat["outputs"]![0]!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Outputs_selects_what_is_returned_in_the_asked_order()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");
        var request = JsonNode.Parse(Versicolor)!;
        request["outputs"] = JsonNode.Parse("""[{"name":"probabilities"},{"name":"label"}]""");

        var (_, body) = await runtime.PostJsonAsync("/v2/models/iris/infer", request);

        Assert.Equal(["probabilities", "label"], body!["outputs"]!.AsArray().Select(o => (string?)o!["name"]));
    }

    [Fact]
    public async Task Versions_resolve_to_the_highest_by_default_and_exactly_when_named()
    {
        using var dir = new ModelDir()
            .Add("m/1/model.onnx", TestModels.Identity(Serving.Models.Onnx.OnnxElementType.Float, "batch", 4))
            .Add("m/2/model.onnx", TestModels.Doubler());
        await using var runtime = await TestRuntime.StartAsync(dir.Path);
        const string Request = """{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}]}""";

        var (_, latest) = await runtime.PostJsonAsync("/v2/models/m/infer", Request);
        var (_, v1) = await runtime.PostJsonAsync("/v2/models/m/versions/1/infer", Request);
        var (_, meta) = await runtime.GetJsonAsync("/v2/models/m/versions/1");
        var (missing, error) = await runtime.PostJsonAsync("/v2/models/m/versions/7/infer", Request);

        Assert.Equal(("2", "[2,4,6,8]"), ((string?)latest!["model_version"], latest["outputs"]![0]!["data"]!.ToJsonString()));
        Assert.Equal(("1", "[1,2,3,4]"), ((string?)v1!["model_version"], v1["outputs"]![0]!["data"]!.ToJsonString()));
        Assert.Equal("""["2","1"]""", meta!["versions"]!.ToJsonString());
        Assert.Equal(404, missing);
        Assert.Equal("Model with name m and version 7 does not exist.", (string?)error!["error"]);
    }

    [Fact]
    public async Task Several_models_in_one_process()
    {
        using var dir = new ModelDir()
            .Add("doubler/model.onnx", TestModels.Doubler())
            .Add("pair/model.onnx", TestModels.TwoInputs());
        await using var runtime = await TestRuntime.StartAsync(dir.Path);

        var (_, list) = await runtime.GetJsonAsync("/v2/models");
        var (status, body) = await runtime.PostJsonAsync(
            "/v2/models/pair/infer",
            """{"inputs":[{"name":"a","shape":[1,2],"datatype":"FP32","data":[5,7]},{"name":"b","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""");

        Assert.Equal("""["doubler","pair"]""", list!["models"]!.ToJsonString());
        Assert.Equal(200, status);
        Assert.Equal("[6,9]", body!["outputs"]![0]!["data"]!.ToJsonString());
        Assert.Equal("[4,5]", body["outputs"]![1]!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Metrics_count_requests_by_model_protocol_and_status()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");
        await runtime.PostJsonAsync("/v2/models/iris/infer", Versicolor);
        await runtime.PostJsonAsync("/v2/models/iris/infer", Versicolor);
        await runtime.PostJsonAsync("/v2/models/iris/infer", "{");

        string metrics = await runtime.Client.GetStringAsync("/metrics");

        Assert.Contains("runtime_requests_total{model=\"iris\",protocol=\"v2\",code=\"200\"} 2", metrics);
        Assert.Contains("runtime_requests_total{model=\"iris\",protocol=\"v2\",code=\"400\"} 1", metrics);
        Assert.Contains("runtime_request_duration_seconds_count{model=\"iris\",protocol=\"v2\",code=\"200\"} 2", metrics);
        Assert.Contains("runtime_batch_size_sum{model=\"iris\"} 2", metrics);
        Assert.Contains("runtime_batch_wait_seconds_count{model=\"iris\"} 2", metrics);
        Assert.Contains("runtime_model_ready{model=\"iris\",version=\"\"} 1", metrics);
    }

    [Theory]
    [InlineData(""","outputs":[]""")] // Triton and KServe: no output named = every output
    [InlineData(""","outputs":null""")]
    [InlineData(""","parameters":{},"outputs":[]""")]
    [InlineData(""","parameters":null,"id":null""")]
    [InlineData(""","parameters":{"binary_data_output":false}""")]
    public async Task Odd_but_valid_requests_answer_as_Triton_does(string extra)
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");
        string request = """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","parameters":{},"data":[6.8,2.8,4.8,1.4]}]""" + extra + "}";

        var (status, body) = await runtime.PostJsonAsync("/v2/models/iris/infer", request);

        Assert.True(status == 200, body?.ToJsonString());
        Assert.Equal(["label", "probabilities"], body!["outputs"]!.AsArray().Select(o => (string?)o!["name"]));
        Assert.Equal("[1]", body["outputs"]![0]!["data"]!.ToJsonString());
        Assert.Null(body["id"]);
    }
}
