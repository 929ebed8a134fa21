using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Protocol;

public sealed class V1EndpointTests
{
    [Fact]
    public async Task Walkthrough_request_answers_versicolor_and_setosa()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");

        var (status, one) = await runtime.PostJsonAsync("/v1/models/iris:predict", """{"instances":[[6.8,2.8,4.8,1.4]]}""");
        var (_, two) = await runtime.PostJsonAsync("/v1/models/iris:predict", """{"instances":[[6.8,2.8,4.8,1.4],[5.1,3.5,1.4,0.2]]}""");

        Assert.Equal(200, status);
        Assert.Equal("""{"predictions":[1]}""", one!.ToJsonString());
        Assert.Equal("""{"predictions":[1,0]}""", two!.ToJsonString());
    }

    [Fact]
    public async Task Columnar_inputs_mean_the_same_as_instances()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");

        var (_, columns) = await runtime.PostJsonAsync("/v1/models/iris:predict", """{"inputs":[[5.1,3.5,1.4,0.2]]}""");
        var (_, named) = await runtime.PostJsonAsync("/v1/models/iris:predict", """{"inputs":{"float_input":[[5.1,3.5,1.4,0.2]]}}""");

        Assert.Equal("""{"predictions":[0]}""", columns!.ToJsonString());
        Assert.Equal("""{"predictions":[0]}""", named!.ToJsonString());
    }

    [Fact]
    public async Task Liveness_model_list_and_model_status()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");

        var (_, alive) = await runtime.GetJsonAsync("/");
        var (_, list) = await runtime.GetJsonAsync("/v1/models");
        var (status, model) = await runtime.GetJsonAsync("/v1/models/iris");
        var (missing, error) = await runtime.GetJsonAsync("/v1/models/nope");

        Assert.Equal("""{"status":"alive"}""", alive!.ToJsonString());
        Assert.Equal("""{"models":["iris"]}""", list!.ToJsonString());
        Assert.Equal((200, """{"name":"iris","ready":true}"""), (status, model!.ToJsonString()));
        Assert.Equal((404, "Model with name nope does not exist."), (missing, (string?)error!["error"]));
    }

    [Fact]
    public async Task Single_output_models_return_rows_and_several_outputs_return_objects()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler()).Add("pair/model.onnx", TestModels.TwoInputs());
        await using var runtime = await TestRuntime.StartAsync(dir.Path);

        var (_, doubled) = await runtime.PostJsonAsync("/v1/models/doubler:predict", """{"instances":[[1,2,3,4],[5,6,7,8]]}""");
        var (_, pair) = await runtime.PostJsonAsync(
            "/v1/models/pair:predict", """{"instances":[{"a":[5,7],"b":[1,2]},{"a":[1,1],"b":[1,1]}]}""");

        Assert.Equal("""{"predictions":[[2,4,6,8],[10,12,14,16]]}""", doubled!.ToJsonString());
        Assert.Equal(
            """{"predictions":[{"sum":[6,9],"difference":[4,5]},{"sum":[2,2],"difference":[0,0]}]}""", pair!.ToJsonString());
    }

    [Fact]
    public async Task Explain_is_not_implemented_by_the_runtime()
    {
        await using var runtime = await TestRuntime.StartAsync(RepoPaths.Iris, "iris");

        var (status, body) = await runtime.PostJsonAsync("/v1/models/iris:explain", """{"instances":[[6.8,2.8,4.8,1.4]]}""");

        Assert.Equal(501, status);
        Assert.Contains("explain", (string?)body!["error"]);
    }
}
