using System.Net.Http.Headers;
using System.Text;
using Serving.Models.Onnx;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Protocol;

/// <summary>
/// Every bad request gets a 4xx whose message names the problem, and the server stays healthy: liveness, readiness
/// and a real inference still answer afterwards.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string Infer = "/v2/models/iris/infer";
    private readonly ModelDir _dir = new();
    private TestRuntime _runtime = null!;

    public async Task InitializeAsync()
    {
        File.Copy(Path.Combine(RepoPaths.Iris, "model.onnx"), Path.Combine(_dir.Add("pair/model.onnx", TestModels.TwoInputs()).Path, "iris-model.onnx"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, "iris"));
        File.Move(Path.Combine(_dir.Path, "iris-model.onnx"), Path.Combine(_dir.Path, "iris", "model.onnx"));
        _dir.Add("half/model.onnx", TestModels.Identity(OnnxElementType.Float16, "batch", 2));
        _dir.Add("u8/model.onnx", TestModels.Identity(OnnxElementType.UInt8, "batch", 2));
        _dir.Add("i32/model.onnx", TestModels.Identity(OnnxElementType.Int32, "batch", 2));
        _dir.Add("f64/model.onnx", TestModels.Identity(OnnxElementType.Double, "batch", 2));
        _runtime = await TestRuntime.StartAsync(_dir.Path, configure: o => o with { MaxRequestBytes = 64 * 1024 });
    }

    public async Task DisposeAsync()
    {
        await _runtime.DisposeAsync();
        _dir.Dispose();
    }

    public static TheoryData<string, string, string, int, string> JsonCases => new()
    {
        { "malformed JSON", Infer, """{"inputs":[{"name":""", 400, "malformed JSON" },
        { "not an object", Infer, "[1,2,3]", 400, "must be a JSON object" },
        { "no inputs", Infer, """{"id":"x"}""", 400, "'inputs' must be a non-empty array" },
        { "empty inputs", Infer, """{"inputs":[]}""", 400, "'inputs' must be a non-empty array" },
        { "misnamed input", Infer, Iris("petals", "FP32", "[1,4]", "[1,2,3,4]"), 400, "unknown input 'petals' for model iris; expected inputs: float_input" },
        { "extra input", Infer, """{"inputs":[""" + IrisInput("float_input") + "," + IrisInput("extra") + "]}", 400, "unknown input 'extra'" },
        { "duplicate input", Infer, """{"inputs":[""" + IrisInput("float_input") + "," + IrisInput("float_input") + "]}", 400, "given more than once" },
        { "missing input", "/v2/models/pair/infer", """{"inputs":[{"name":"a","shape":[1,2],"datatype":"FP32","data":[1,2]}]}""", 400, "missing input 'b' for model pair" },
        { "wrong datatype", Infer, Iris("float_input", "FP64", "[1,4]", "[1,2,3,4]"), 400, "has datatype FP64, model iris expects FP32" },
        { "unknown datatype", Infer, Iris("float_input", "FLOAT", "[1,4]", "[1,2,3,4]"), 400, "datatype 'FLOAT' is not one of" },
        { "shape vs data length", Infer, Iris("float_input", "FP32", "[1,4]", "[1,2,3]"), 400, "shape [1,4] needs 4 elements but data has 3" },
        { "shape vs model", Infer, Iris("float_input", "FP32", "[1,3]", "[1,2,3]"), 400, "has shape [1,3], model iris expects [-1,4]" },
        { "negative shape", Infer, Iris("float_input", "FP32", "[-1,4]", "[1,2,3,4]"), 400, "dimension 0 is -1" },
        { "huge shape", Infer, Iris("float_input", "FP32", "[1000000000000000,4]", "[1,2,3,4]"), 400, "needs 4000000000000000 elements but data has 4" },
        { "overflowing shape", Infer, Iris("float_input", "FP32", "[9223372036854775807,4]", "[1,2,3,4]"), 400, "is too large" },
        { "not a number", Infer, Iris("float_input", "FP32", "[1,4]", """[1,2,"three",4]"""), 400, "element 2 is not a valid FP32: \"three\"" },
        { "unknown model", "/v2/models/nope/infer", Iris("float_input", "FP32", "[1,4]", "[1,2,3,4]"), 404, "Model with name nope does not exist." },
        { "unknown version", "/v2/models/iris/versions/3/infer", Iris("float_input", "FP32", "[1,4]", "[1,2,3,4]"), 404, "Model with name iris and version 3 does not exist." },
        { "FP16 as JSON", "/v2/models/half/infer", """{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP16","data":[1,2]}]}""", 400, "receiving FP16 data via JSON is not supported" },
        { "deeply nested", Infer, Iris("float_input", "FP32", "[1,4]", new string('[', 200) + new string(']', 200)), 400, "maximum configured depth of 64" },
        { "empty batch", Infer, Iris("float_input", "FP32", "[0,4]", "[]"), 400, "holds no elements (empty batch)" },
        { "unknown output", Infer, """{"inputs":[""" + IrisInput("float_input") + """],"outputs":[{"name":"scores"}]}""", 400, "unknown output 'scores' for model iris; model outputs: label, probabilities" },
        { "bad id", Infer, """{"id":5,"inputs":[""" + IrisInput("float_input") + "]}", 400, "'id' must be a string" },
        { "V1 empty batch", "/v1/models/iris:predict", """{"instances":[]}""", 400, "'instances' is empty" },
        { "V1 ragged", "/v1/models/iris:predict", """{"instances":[[1,2,3,4],[1,2,3]]}""", 400, "not a rectangular array" },
        { "V1 neither field", "/v1/models/iris:predict", """{"rows":[[1,2,3,4]]}""", 400, "neither 'instances' nor 'inputs'" },
        { "FP32 overflow", Infer, Iris("float_input", "FP32", "[1,4]", "[1,2,1e39,4]"), 400, "input 'float_input': element 2 is not a valid FP32: 1e39 (outside FP32's finite range)" },
        { "FP32 negative overflow", Infer, Iris("float_input", "FP32", "[1,4]", "[[1,2],[3,-4e38]]"), 400, "element 3 is not a valid FP32: -4e38" },
        { "FP64 overflow", "/v2/models/f64/infer", Typed("x", "FP64", "[1,2]", "[1e309,0]"), 400, "input 'x': element 0 is not a valid FP64: 1e309 (outside FP64's finite range)" },
        { "UINT8 out of range", "/v2/models/u8/infer", Typed("x", "UINT8", "[1,2]", "[1,300]"), 400, "input 'x': element 1 is not a valid UINT8: 300 (outside UINT8's range)" },
        { "UINT8 negative", "/v2/models/u8/infer", Typed("x", "UINT8", "[1,2]", "[-1,3]"), 400, "element 0 is not a valid UINT8: -1 (outside UINT8's range)" },
        { "INT32 fraction", "/v2/models/i32/infer", Typed("x", "INT32", "[1,2]", "[7,1.5]"), 400, "input 'x': element 1 is not a valid INT32: 1.5 (not an integer" },
        { "INT32 too large", "/v2/models/i32/infer", Typed("x", "INT32", "[1,2]", "[2147483648,0]"), 400, "element 0 is not a valid INT32: 2147483648 (outside INT32's range)" },
        { "V1 FP32 overflow", "/v1/models/iris:predict", """{"instances":[[6.8,2.8,1e39,1.4]]}""", 400, "input 'float_input': element 2 is not a valid FP32: 1e39" },
        { "V1 unknown model", "/v1/models/nope:predict", """{"instances":[[1,2,3,4]]}""", 404, "Model with name nope does not exist." },
        { "V1 malformed", "/v1/models/iris:predict", """{"instances":[[1,2,3,4]""", 400, "malformed JSON" },
    };

    [Theory]
    [MemberData(nameof(JsonCases))]
    public async Task Json_request_is_rejected_with_a_message_naming_the_problem(string what, string path, string body, int status, string message)
    {
        var (actual, error) = await _runtime.PostJsonAsync(path, body);

        Assert.True(actual == status, $"{what}: expected {status}, got {actual}: {error?.ToJsonString()}");
        Assert.Contains(message, (string?)error!["error"], StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        string big = Iris("float_input", "FP32", "[1,4]", "[1,2,3,4]") + new string(' ', 70 * 1024);

        var (status, error) = await _runtime.PostJsonAsync(Infer, big);

        Assert.Equal(413, status);
        Assert.Contains("larger than the limit of 65536 bytes", (string?)error!["error"]);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413()
    {
        byte[] big = Encoding.UTF8.GetBytes(new string(' ', 70 * 1024));
        using var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Infer) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _runtime.Client.SendAsync(request);

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Contains("larger than the limit", (string?)(await TestRuntime.ReadJsonAsync(response))!["error"]);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Binary_header_length_larger_than_the_body_is_400()
    {
        using var response = await _runtime.PostBinaryAsync(Infer, BinaryHeader(16), new byte[16], headerLength: 10_000);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("Inference-Header-Content-Length is 10000 but the request body has only", await ErrorAsync(response));
        await AssertStillServingAsync();
    }

    [Theory]
    [InlineData(12, 16, "binary_data_size is 12 bytes but shape [1,4] of FP32 needs 16 bytes")]
    [InlineData(16, 12, "binary_data_size is 16 but only 12 bytes of binary data are left")]
    [InlineData(16, 20, "the binary section has 20 bytes but the inputs' binary_data_size add up to 16")]
    public async Task Binary_sizes_that_disagree_are_400(int declared, int sent, string message)
    {
        using var response = await _runtime.PostBinaryAsync(Infer, BinaryHeader(declared), new byte[sent]);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(message, await ErrorAsync(response));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Binary_size_without_the_header_is_400()
    {
        var (status, error) = await _runtime.PostJsonAsync(Infer, BinaryHeader(16));

        Assert.Equal(400, status);
        Assert.Contains("Inference-Header-Content-Length header is missing", (string?)error!["error"]);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Input_without_data_is_400()
    {
        var (status, error) = await _runtime.PostJsonAsync(Infer, """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32"}]}""");

        Assert.Equal(400, status);
        Assert.Contains("'data' field is missing", (string?)error!["error"]);
    }

    [Fact]
    public async Task Unknown_route_is_a_json_404()
    {
        var (status, error) = await _runtime.GetJsonAsync("/v3/models");

        Assert.Equal(404, status);
        Assert.Equal("no route for GET /v3/models", (string?)error!["error"]);
    }

    private static string IrisInput(string name) => $$"""{"name":"{{name}}","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}""";

    private static string Iris(string name, string datatype, string shape, string data) =>
        $$"""{"inputs":[{"name":"{{name}}","shape":{{shape}},"datatype":"{{datatype}}","data":{{data}}}]}""";

    private static string Typed(string name, string datatype, string shape, string data) => Iris(name, datatype, shape, data);

    private static string BinaryHeader(int size) =>
        $$$"""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","parameters":{"binary_data_size":{{{size}}}}}]}""";

    private static async Task<string?> ErrorAsync(HttpResponseMessage response) => (string?)(await TestRuntime.ReadJsonAsync(response))!["error"];

    private Task AssertStillServingAsync() => _runtime.AssertHealthyAsync(async () =>
    {
        var (status, body) = await _runtime.PostJsonAsync("/v1/models/iris:predict", """{"instances":[[6.8,2.8,4.8,1.4]]}""");
        Assert.Equal((200, """{"predictions":[1]}"""), (status, body!.ToJsonString()));
    });
}
