using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.EndToEnd;

/// <summary>The runtime as a person runs it: the real executable, its command line, its signals.</summary>
public sealed class RuntimeProcessTests
{
    [Fact]
    public async Task Serves_the_iris_sample_with_kserve_style_arguments()
    {
        // ServingRuntime manifests pass KServe's underscore spellings.
        await using var runtime = RuntimeProcess.Start($"--model_dir={RepoPaths.Iris}", "--model_name=iris");
        using var client = await runtime.ReadyClientAsync();

        using var response = await client.PostAsync("/v1/models/iris:predict", JsonContent.Create(JsonNode.Parse("""{"instances":[[6.8,2.8,4.8,1.4]]}""")));

        Assert.Equal("""{"predictions":[1]}""", await response.Content.ReadAsStringAsync());
        Assert.Contains("Execution device: cpu (requested cpu)", runtime.Output);
    }

    [Fact]
    public async Task Sigterm_lets_in_flight_requests_finish_then_exits_cleanly()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler());
        // The request waits in the batch queue for 10 s: SIGTERM arrives 2 s after it was sent, and the shutdown begins
        // after a 5 s drain, while it is still queued. (The drain serves a request a starved machine had not read yet at
        // SIGTERM; without it, that request would meet a closed listener.)
        await using var runtime = RuntimeProcess.Start("--model-dir", dir.Path, "--max-batch-size", "8", "--max-batch-delay-ms", "10000", "--drain-delay-s", "5");
        using var client = await runtime.ReadyClientAsync();

        var inFlight = client.PostAsync("/v1/models/doubler:predict", JsonContent.Create(JsonNode.Parse("""{"instances":[[1,2,3,4]]}""")));
        await Task.Delay(2000);
        runtime.Terminate();
        using var response = await inFlight;

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("""{"predictions":[[2,4,6,8]]}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await runtime.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task With_a_drain_delay_sigterm_turns_readiness_false_at_once_and_new_connections_are_served_until_it_ends()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler());
        await using var runtime = RuntimeProcess.Start("--model-dir", dir.Path, "--drain-delay-s", "10");
        using var client = await runtime.ReadyClientAsync();

        // A pod told to stop: gateways route here until its EndpointSlice change reaches them, on new connections too.
        var clock = Stopwatch.StartNew();
        runtime.Terminate();
        while ((await client.GetAsync("/v2/health/ready")).IsSuccessStatusCode)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), "still ready 8 s after SIGTERM");
            await Task.Delay(20);
        }

        using var fresh = new HttpClient { BaseAddress = client.BaseAddress };
        using var response = await fresh.PostAsync("/v1/models/doubler:predict", JsonContent.Create(JsonNode.Parse("""{"instances":[[1,2,3,4]]}""")));
        var answered = clock.Elapsed;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("""{"predictions":[[2,4,6,8]]}""", await response.Content.ReadAsStringAsync());
        Assert.True(answered < TimeSpan.FromSeconds(10), $"answered {answered} after SIGTERM, past the drain delay");

        Assert.Equal(0, await runtime.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(10), $"exited {clock.Elapsed} after SIGTERM, within the drain delay");
        Assert.Contains("still serving for 10 s", runtime.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_a_pod_the_drain_delay_is_3_s_unless_given()
    {
        using var dir = new ModelDir().Add("doubler/model.onnx", TestModels.Doubler());
        await using var runtime = RuntimeProcess.StartRaw(
            new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1" }, "--http-port", "0", "--device", "cpu", "--model-dir", dir.Path);
        using var client = await runtime.ReadyClientAsync();

        runtime.Terminate();

        Assert.Equal(0, await runtime.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("still serving for 3 s", runtime.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--device tpu", "--device must be auto, cpu or cuda, not 'tpu'")]
    [InlineData("--max-batch-size 0", "--max-batch-size must be an integer from 1 to 65536, not '0'")]
    [InlineData("--frobnicate 1", "unknown option --frobnicate")]
    [InlineData("--model-dir /nonexistent/models", "model directory '/nonexistent/models' does not exist")]
    public async Task Bad_command_lines_exit_2_with_a_message(string args, string message)
    {
        string[] argv = args.Split(' ');
        if (!args.StartsWith("--model-dir", StringComparison.Ordinal))
        {
            argv = ["--model-dir", RepoPaths.Iris, .. argv];
        }

        await using var runtime = RuntimeProcess.StartRaw(argv);

        Assert.Equal(2, await runtime.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(message, runtime.Output);
    }

    [Fact]
    public async Task Cuda_requested_where_there_is_none_fails_fast_and_says_why()
    {
        await using var runtime = RuntimeProcess.StartRaw("--model-dir", RepoPaths.Iris, "--device", "cuda");

        int code = await runtime.WaitForExitAsync(TimeSpan.FromSeconds(30));

        // On a machine with a GPU this serves on CUDA instead; the test machines have none.
        Assert.Equal(2, code);
        Assert.Contains("--device cuda was requested but the CUDA execution provider could not be loaded", runtime.Output);
    }

    [Fact]
    public async Task A_model_that_fails_to_load_keeps_the_process_live_and_says_why()
    {
        using var dir = new ModelDir().Add("good/model.onnx", TestModels.Doubler()).Add("broken/model.onnx", "not an onnx file"u8.ToArray());
        await using var runtime = RuntimeProcess.Start("--model-dir", dir.Path);
        using var client = new HttpClient { BaseAddress = await runtime.AddressAsync() };

        // Models load one after another in the background: wait until both have settled.
        JsonNode? broken = null;
        bool goodReady = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); // a bound, not a timing claim: loads are slow on a busy machine
        while (DateTime.UtcNow < deadline && (!(((string?)broken?["error"])?.Contains(": ", StringComparison.Ordinal) ?? false) || !goodReady))
        {
            await Task.Delay(50);
            using var meta = await client.GetAsync("/v2/models/broken");
            broken = JsonNode.Parse(await meta.Content.ReadAsStringAsync());
            using var goodMeta = await client.GetAsync("/v2/models/good/ready");
            goodReady = goodMeta.IsSuccessStatusCode;
        }

        using var live = await client.GetAsync("/v2/health/live");
        using var ready = await client.GetAsync("/v2/health/ready");
        using var good = await client.PostAsync("/v1/models/good:predict", JsonContent.Create(JsonNode.Parse("""{"instances":[[1,1,1,1]]}""")));
        Assert.Equal(200, (int)live.StatusCode);
        Assert.Equal(503, (int)ready.StatusCode);
        Assert.StartsWith("Model with name broken is not ready: ", (string?)broken!["error"]);
        Assert.Equal(200, (int)good.StatusCode);
    }
}
