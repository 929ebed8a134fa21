using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Protocol;

/// <summary>Real third-party models (PP-OCR): outputs through HTTP equal in-process ONNX Runtime outputs.</summary>
public sealed class PpOcrTests
{
    public static TheoryData<string, int, int, bool> Cases => new()
    {
        { "ppocr-cls", 48, 192, false },
        { "ppocr-cls", 48, 192, true },
        { "ppocr-det", 64, 96, false },
        { "ppocr-det", 64, 96, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Http_outputs_equal_in_process_outputs(string model, int height, int width, bool binary)
    {
        string dir = RepoPaths.FetchedModel(model);
        float[] input = RandomImage(seed: height + width, 3 * height * width);
        long[] shape = [1, 3, height, width];
        var (outputName, expected, expectedShape) = RunInProcess(Path.Combine(dir, "model.onnx"), input, shape);
        await using var runtime = await TestRuntime.StartAsync(dir, model);

        var (actual, actualShape) = binary
            ? await InferBinaryAsync(runtime, model, input, shape)
            : await InferJsonAsync(runtime, model, input, shape);

        Assert.Equal(expectedShape, actualShape);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"{outputName}[{i}]: in-process {expected[i]}, HTTP {actual[i]}");
        }
    }

    [Fact]
    public async Task Batched_concurrent_requests_equal_their_in_process_outputs()
    {
        string dir = RepoPaths.FetchedModel("ppocr-cls");
        long[] shape = [1, 3, 48, 192];
        var inputs = Enumerable.Range(0, 6).Select(i => RandomImage(seed: i, 3 * 48 * 192)).ToArray();
        var expected = inputs.Select(i => RunInProcess(Path.Combine(dir, "model.onnx"), i, shape).Values).ToArray();
        await using var runtime = await TestRuntime.StartAsync(
            dir, "ppocr-cls", o => o with { MaxBatchSize = 6, MaxBatchDelay = TimeSpan.FromSeconds(20) });

        var actual = await Task.WhenAll(inputs.Select(i => InferBinaryAsync(runtime, "ppocr-cls", i, shape)));

        for (int r = 0; r < inputs.Length; r++)
        {
            for (int i = 0; i < expected[r].Length; i++)
            {
                // A batch of 6 may take other kernels than a batch of 1: allow for float reassociation.
                Assert.True(Math.Abs(expected[r][i] - actual[r].Values[i]) <= 1e-4f, $"request {r}[{i}]: {expected[r][i]} vs {actual[r].Values[i]}");
            }
        }

        string metrics = await runtime.Client.GetStringAsync("/metrics");
        Assert.Contains("runtime_batch_size_sum{model=\"ppocr-cls\"} 6", metrics);
        Assert.Contains("runtime_batch_size_count{model=\"ppocr-cls\"} 1", metrics);
    }

    private static float[] RandomImage(int seed, int length)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1))];
    }

    private static (string Name, float[] Values, long[] Shape) RunInProcess(string path, float[] input, long[] shape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [session.InputNames[0]], [value], [session.OutputNames[0]]);
        return (session.OutputNames[0], results[0].GetTensorDataAsSpan<float>().ToArray(), results[0].GetTensorTypeAndShape().Shape);
    }

    private static async Task<(float[] Values, long[] Shape)> InferJsonAsync(TestRuntime runtime, string model, float[] input, long[] shape)
    {
        var request = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "x",
                ["shape"] = new JsonArray([.. shape.Select(d => JsonValue.Create(d))]),
                ["datatype"] = "FP32",
                ["data"] = new JsonArray([.. input.Select(v => JsonValue.Create(v))]),
            }),
        };
        var (status, body) = await runtime.PostJsonAsync($"/v2/models/{model}/infer", request);
        Assert.Equal(200, status);
        var output = body!["outputs"]![0]!;
        return ([.. output["data"]!.AsArray().Select(v => (float)v!)], [.. output["shape"]!.AsArray().Select(d => (long)d!)]);
    }

    private static async Task<(float[] Values, long[] Shape)> InferBinaryAsync(TestRuntime runtime, string model, float[] input, long[] shape)
    {
        byte[] raw = new byte[input.Length * 4];
        Buffer.BlockCopy(input, 0, raw, 0, raw.Length);
        string header = new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "x",
                ["shape"] = new JsonArray([.. shape.Select(d => JsonValue.Create(d))]),
                ["datatype"] = "FP32",
                ["parameters"] = new JsonObject { ["binary_data_size"] = raw.Length },
            }),
            ["parameters"] = new JsonObject { ["binary_data_output"] = true },
        }.ToJsonString();
        using var response = await runtime.PostBinaryAsync($"/v2/models/{model}/infer", header, raw);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(200, (int)response.StatusCode);
        int headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var output = JsonNode.Parse(body.AsSpan(0, headerLength))!["outputs"]![0]!;
        float[] values = new float[(body.Length - headerLength) / 4];
        Buffer.BlockCopy(body, headerLength, values, 0, values.Length * 4);
        return (values, [.. output["shape"]!.AsArray().Select(d => (long)d!)]);
    }
}
