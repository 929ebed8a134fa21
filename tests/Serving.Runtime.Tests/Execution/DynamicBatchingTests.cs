using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Serving.Models.Onnx;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Execution;

public sealed partial class DynamicBatchingTests
{
    [Fact]
    public async Task Concurrent_requests_share_one_run_and_each_gets_its_own_rows()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler());
        // A long delay with a full batch of 8: the batch closes when the 8th request arrives, not on the timer.
        await using var runtime = await TestRuntime.StartAsync(
            dir.Path, configure: o => o with { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.FromSeconds(20) });

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => runtime.PostJsonAsync(
            "/v1/models/doubler:predict", $"{{\"instances\":[[{i},{i + 100},{i + 200},{i + 300}]]}}")));

        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(200, answers[i].Status);
            Assert.Equal($"{{\"predictions\":[[{2 * i},{2 * (i + 100)},{2 * (i + 200)},{2 * (i + 300)}]]}}", answers[i].Body!.ToJsonString());
        }

        var metrics = await ReadMetricsAsync(runtime, "doubler");
        Assert.Equal((BatchCount: 1, BatchRows: 8), metrics);
    }

    [Fact]
    public async Task Requests_with_different_row_shapes_are_not_stacked()
    {
        using var dir = new ModelDir().Add("id/model.onnx", TestModels.Identity(OnnxElementType.Float, "batch", "n"));
        await using var runtime = await TestRuntime.StartAsync(
            dir.Path, configure: o => o with { MaxBatchSize = 4, MaxBatchDelay = TimeSpan.FromMilliseconds(300) });

        var answers = await Task.WhenAll(
            runtime.PostJsonAsync("/v1/models/id:predict", """{"instances":[[1,2]]}"""),
            runtime.PostJsonAsync("/v1/models/id:predict", """{"instances":[[3,4,5]]}"""),
            runtime.PostJsonAsync("/v1/models/id:predict", """{"instances":[[6,7]]}"""));

        Assert.Equal("""{"predictions":[[1,2]]}""", answers[0].Body!.ToJsonString());
        Assert.Equal("""{"predictions":[[3,4,5]]}""", answers[1].Body!.ToJsonString());
        Assert.Equal("""{"predictions":[[6,7]]}""", answers[2].Body!.ToJsonString());
    }

    [Fact]
    public async Task A_request_whose_client_left_leaves_the_queue()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler());
        await using var runtime = await TestRuntime.StartAsync(
            dir.Path, configure: o => o with { MaxBatchSize = 8, MaxBatchDelay = TimeSpan.FromMilliseconds(5000) }); // the client leaves well before it
        using var impatient = new HttpClient { BaseAddress = runtime.Client.BaseAddress, Timeout = TimeSpan.FromMilliseconds(200) };

        await Assert.ThrowsAsync<TaskCanceledException>(() => impatient.PostAsync(
            "/v1/models/doubler:predict", new StringContent("""{"instances":[[1,1,1,1]]}""")));
        // The runtime saw the client leave (a 499) before the next request comes, while the batch is still open.
        var waited = Stopwatch.StartNew();
        while (!(await runtime.Client.GetStringAsync("/metrics")).Contains("runtime_requests_total{model=\"doubler\",protocol=\"v1\",code=\"499\"} 1", StringComparison.Ordinal))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "the runtime never saw the client leave");
            await Task.Delay(20);
        }

        var (status, body) = await runtime.PostJsonAsync("/v1/models/doubler:predict", """{"instances":[[1,2,3,4]]}""");

        Assert.Equal((200, """{"predictions":[[2,4,6,8]]}"""), (status, body!.ToJsonString()));
        var metrics = await ReadMetricsAsync(runtime, "doubler");
        Assert.Equal(1, metrics.BatchRows); // only the request that stayed was run
    }

    [Fact]
    public async Task Models_without_a_batch_dimension_run_unbatched()
    {
        using var dir = new ModelDir()
            .Add("fixed/model.onnx", TestModels.Identity(OnnxElementType.Float, 1, 4))
            .Add("doubler/model.onnx", TestModels.Doubler());
        await using var runtime = await TestRuntime.StartAsync(dir.Path);

        var (_, fixedMeta) = await runtime.GetJsonAsync("/v2/models/fixed");
        var (_, doublerMeta) = await runtime.GetJsonAsync("/v2/models/doubler");
        var (status, body) = await runtime.PostJsonAsync("/v1/models/fixed:predict", """{"instances":[[1,2,3,4]]}""");

        Assert.False((bool)fixedMeta!["parameters"]!["dynamic_batching"]!);
        Assert.True((bool)doublerMeta!["parameters"]!["dynamic_batching"]!);
        Assert.Equal((200, """{"predictions":[[1,2,3,4]]}"""), (status, body!.ToJsonString()));
    }

    [Fact]
    public async Task Batching_off_runs_each_request_alone()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler());
        await using var runtime = await TestRuntime.StartAsync(dir.Path, configure: o => o with { MaxBatchSize = 1 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => runtime.PostJsonAsync(
            "/v1/models/doubler:predict", $"{{\"instances\":[[{i},0,0,0]]}}")));

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        var metrics = await ReadMetricsAsync(runtime, "doubler");
        Assert.Equal((BatchCount: 6, BatchRows: 6), metrics);
    }

    [Fact]
    public async Task A_model_that_is_not_batch_preserving_fails_batched_requests_with_a_clear_error()
    {
        using var dir = new ModelDir().Add("flat/model.onnx", TestModels.FlattensBatch());
        await using var runtime = await TestRuntime.StartAsync(
            dir.Path, configure: o => o with { MaxBatchSize = 2, MaxBatchDelay = TimeSpan.FromSeconds(20) });

        var answers = await Task.WhenAll(
            runtime.PostJsonAsync("/v1/models/flat:predict", """{"instances":[[1,2,3,4]]}"""),
            runtime.PostJsonAsync("/v1/models/flat:predict", """{"instances":[[1,2,3,4]]}"""));

        Assert.All(answers, a =>
        {
            Assert.Equal(500, a.Status);
            Assert.Contains("--max-batch-size 1", (string?)a.Body!["error"]);
        });
        await runtime.AssertHealthyAsync();
    }

    private static async Task<(int BatchCount, int BatchRows)> ReadMetricsAsync(TestRuntime runtime, string model)
    {
        string text = await runtime.Client.GetStringAsync("/metrics");
        return (Read(text, "runtime_batch_size_count", model), Read(text, "runtime_batch_size_sum", model));
    }

    private static int Read(string metrics, string name, string model)
    {
        var match = Regex.Match(metrics, $"^{name}{{model=\"{model}\"}} ([0-9.]+)$", RegexOptions.Multiline);
        return match.Success ? (int)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
