using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Serving.Runtime.Execution;
using Serving.Runtime.Hosting;
using Serving.Runtime.Models;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Execution;

/// <summary>
/// --batch-padding on CPU (where auto leaves it off): padded batches answer exactly what unpadded ones do, and the
/// sessions only ever see bucket sizes.
/// </summary>
public sealed partial class BatchPaddingTests
{
    private static readonly int[] RowsPerRequest = [1, 2, 3, 1, 3, 2, 1, 1, 2, 3];

    [Fact]
    public void Buckets_are_powers_of_two_up_to_the_max_and_the_max_itself()
    {
        var buckets = new BatchBuckets(12);

        Assert.Equal([1, 2, 4, 8, 12], buckets.Sizes);
        Assert.Equal([1, 2, 4, 4, 8, 12, 12], new long[] { 1, 2, 3, 4, 5, 9, 12 }.Select(r => buckets.For(r)!.Value));
        Assert.Null(buckets.For(13));
        Assert.Null(buckets.For(0));
        Assert.Equal([1, 2, 4, 8], new BatchBuckets(8).Sizes);
        Assert.Equal([1], new BatchBuckets(1).Sizes);
    }

    [Fact]
    public void Option_parses_and_auto_pads_on_cuda_only()
    {
        Assert.Equal(BatchPadding.Auto, RuntimeOptionsParser.Parse(["--model-dir", "/m"]).BatchPadding);
        Assert.Equal(BatchPadding.On, RuntimeOptionsParser.Parse(["--model-dir", "/m", "--batch-padding", "ON"]).BatchPadding);
        Assert.Equal(BatchPadding.Off, RuntimeOptionsParser.Parse(["--model-dir", "/m", "--batch_padding=off"]).BatchPadding);
        var e = Assert.Throws<OptionsException>(() => RuntimeOptionsParser.Parse(["--model-dir", "/m", "--batch-padding", "yes"]));
        Assert.Equal("--batch-padding must be auto, on or off, not 'yes'", e.Message);

        Assert.True(ModelLoader.Pads(BatchPadding.Auto, SessionFactory.Cuda));
        Assert.False(ModelLoader.Pads(BatchPadding.Auto, SessionFactory.Cpu));
        Assert.True(ModelLoader.Pads(BatchPadding.On, SessionFactory.Cpu));
        Assert.False(ModelLoader.Pads(BatchPadding.Off, SessionFactory.Cuda));
    }

    [Fact]
    public async Task Iris_answers_are_identical_with_and_without_padding_under_concurrent_requests()
    {
        var requests = RowsPerRequest.Select((rows, r) => Enumerable.Range(0, rows)
            .Select(i => new[] { 4.3f + 0.3f * r + 0.1f * i, 2.0f + 0.2f * i, 1.0f + 0.5f * r, 0.1f + 0.2f * (r % 5) }).ToArray()).ToArray();

        var (padded, paddedMetrics) = await InferAllAsync(RepoPaths.Iris, "iris", BatchPadding.On, requests, "float_input");
        var (plain, plainMetrics) = await InferAllAsync(RepoPaths.Iris, "iris", BatchPadding.Off, requests, "float_input");

        Assert.Equal(plain, padded);
        AssertPaddedToBuckets(paddedMetrics, "iris", RowsPerRequest.Sum(), [1, 2, 4, 8]);
        Assert.Equal(RowsPerRequest.Sum(), Read(plainMetrics, "runtime_batch_size_sum", "iris"));
        Assert.Empty(PaddedRuns(plainMetrics, "iris"));
    }

    [Fact]
    public async Task Ppocr_cls_answers_are_identical_with_and_without_padding_under_concurrent_requests()
    {
        var random = new Random(7);
        var requests = RowsPerRequest.Select(rows => Enumerable.Range(0, rows)
            .Select(_ => Enumerable.Range(0, 3 * 48 * 192).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray()).ToArray();
        string dir = RepoPaths.FetchedModel("ppocr-cls");

        var (padded, paddedMetrics) = await InferAllAsync(dir, "ppocr-cls", BatchPadding.On, requests, "x", [3, 48, 192]);
        var (plain, _) = await InferAllAsync(dir, "ppocr-cls", BatchPadding.Off, requests, "x", [3, 48, 192]);

        Assert.Equal(plain, padded);
        AssertPaddedToBuckets(paddedMetrics, "ppocr-cls", RowsPerRequest.Sum(), [1, 2, 4, 8]);
    }

    [Fact]
    public async Task Metadata_says_whether_batches_are_padded_and_auto_does_not_pad_on_cpu()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler());
        await using var auto = await TestRuntime.StartAsync(dir.Path);
        await using var on = await TestRuntime.StartAsync(dir.Path, configure: o => o with { BatchPadding = BatchPadding.On });

        var (_, autoMeta) = await auto.GetJsonAsync("/v2/models/doubler");
        var (_, onMeta) = await on.GetJsonAsync("/v2/models/doubler");

        Assert.False((bool)autoMeta!["parameters"]!["batch_padding"]!);
        Assert.True((bool)onMeta!["parameters"]!["batch_padding"]!);
    }

    [Fact]
    public async Task A_model_that_is_not_batch_preserving_fails_padded_batches_with_a_clear_error()
    {
        using var dir = new ModelDir().Add("flat/model.onnx", TestModels.FlattensBatch());
        await using var runtime = await TestRuntime.StartAsync(
            dir.Path, configure: o => o with { MaxBatchSize = 4, BatchPadding = BatchPadding.On });

        // 3 rows are padded to 4; the flattened output [16] is not [4, ...].
        var (status, body) = await runtime.PostJsonAsync("/v1/models/flat:predict", """{"instances":[[1,2,3,4],[5,6,7,8],[9,10,11,12]]}""");

        Assert.Equal(500, status);
        Assert.Contains("--max-batch-size 1", (string?)body!["error"]);
        Assert.Contains("--batch-padding off", (string?)body!["error"]);
        await runtime.AssertHealthyAsync();
    }

    /// <summary>Sends every request at once (batch of up to 8 rows, 300 ms delay); returns each answer's outputs as JSON text.</summary>
    private static async Task<(string[] Outputs, string Metrics)> InferAllAsync(
        string modelDir, string model, BatchPadding padding, float[][][] requests, string input, long[]? rowShape = null)
    {
        await using var runtime = await TestRuntime.StartAsync(modelDir, model, o => o with
        {
            MaxBatchSize = 8,
            MaxBatchDelay = TimeSpan.FromMilliseconds(300),
            BatchPadding = padding,
        });
        var answers = await Task.WhenAll(requests.Select(rows => runtime.PostJsonAsync($"/v2/models/{model}/infer", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = input,
                ["shape"] = new JsonArray([rows.Length, .. (rowShape ?? [rows[0].Length]).Select(d => JsonValue.Create(d))]),
                ["datatype"] = "FP32",
                ["data"] = new JsonArray([.. rows.SelectMany(r => r).Select(v => JsonValue.Create(v))]),
            }),
        })));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        return ([.. answers.Select(a => a.Body!["outputs"]!.ToJsonString())], await runtime.Client.GetStringAsync("/metrics"));
    }

    private static void AssertPaddedToBuckets(string metrics, string model, int realRows, int[] buckets)
    {
        var runs = PaddedRuns(metrics, model);
        Assert.NotEmpty(runs);
        Assert.All(runs.Keys, rows => Assert.Contains(rows, buckets));
        int seenRows = runs.Sum(r => r.Key * r.Value);
        Assert.Equal(realRows, Read(metrics, "runtime_batch_size_sum", model)); // the batch-size metric counts real rows
        Assert.Equal(runs.Values.Sum(), Read(metrics, "runtime_batch_size_count", model)); // every Run was padded to a bucket
        Assert.Equal(seenRows - realRows, Read(metrics, "runtime_padding_rows_total", model));
    }

    private static Dictionary<int, int> PaddedRuns(string metrics, string model) => PaddedRunLine().Matches(metrics)
        .Where(m => m.Groups["model"].Value == model)
        .ToDictionary(
            m => int.Parse(m.Groups["rows"].Value, CultureInfo.InvariantCulture),
            m => (int)double.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture));

    private static int Read(string metrics, string name, string model)
    {
        var match = Regex.Match(metrics, $"^{name}{{model=\"{model}\"}} ([0-9.e+]+)$", RegexOptions.Multiline);
        return match.Success ? (int)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex("""^runtime_padded_runs_total\{model="(?<model>[^"]+)",rows="(?<rows>[0-9]+)"\} (?<count>[0-9.e+]+)$""", RegexOptions.Multiline)]
    private static partial Regex PaddedRunLine();
}
