using Serving.Runtime.Hosting;
using Serving.Runtime.Models;

namespace Serving.Runtime.Tests.Hosting;

public sealed class RuntimeOptionsParserTests
{
    [Theory]
    [InlineData("--otlp-endpoint", "collector:4317", "--otlp-endpoint must be an http:// or https:// URL")]
    [InlineData("--trace-to", "/no/such/folder/spans.jsonl", "--trace-to must be 'console' or a file in an existing folder")]
    public void Tracing_options_that_cannot_be_used_are_refused_by_name(string option, string value, string message)
    {
        var error = Assert.Throws<OptionsException>(() => RuntimeOptionsParser.Parse(["--model-dir", "/mnt/models", option, value]));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tracing_is_off_unless_asked_for()
    {
        var options = RuntimeOptionsParser.Parse(["--model-dir", "/mnt/models"]);
        var traced = RuntimeOptionsParser.Parse(["--model-dir", "/mnt/models", "--otlp-endpoint", "http://127.0.0.1:4317"]);

        Assert.Equal(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 }, options.Tracing.Enabled);
        Assert.Equal(new Uri("http://127.0.0.1:4317"), traced.Tracing.OtlpEndpoint);
    }

    [Fact]
    public void Defaults_match_kserve_conventions()
    {
        var options = RuntimeOptionsParser.Parse(["--model-dir", "/mnt/models"]);

        Assert.Equal(("/mnt/models", 8080, DeviceKind.Auto, 32), (options.ModelDir, options.HttpPort, options.Device, options.MaxBatchSize));
    }

    [Fact]
    public void Cudnn_algorithm_search_defaults_to_heuristic_and_maps_to_the_cuda_provider_option()
    {
        var defaults = RuntimeOptionsParser.Parse(["--model-dir", "/m"]);
        var exhaustive = RuntimeOptionsParser.Parse(["--model-dir", "/m", "--cudnn_conv_algo_search=EXHAUSTIVE", "--device-id", "1"]);

        Assert.Equal(CudnnConvAlgoSearch.Heuristic, defaults.CudnnConvAlgoSearch);
        Assert.Equal(CudnnConvAlgoSearch.Exhaustive, exhaustive.CudnnConvAlgoSearch);
        Assert.Equal(
            new Dictionary<string, string> { ["device_id"] = "0", ["cudnn_conv_algo_search"] = "HEURISTIC" },
            SessionFactory.CudaProviderOptions(defaults.DeviceId, defaults.CudnnConvAlgoSearch));
        Assert.Equal(
            new Dictionary<string, string> { ["device_id"] = "1", ["cudnn_conv_algo_search"] = "EXHAUSTIVE" },
            SessionFactory.CudaProviderOptions(exhaustive.DeviceId, exhaustive.CudnnConvAlgoSearch));
    }

    [Fact]
    public void Both_spellings_and_both_forms_are_accepted()
    {
        var options = RuntimeOptionsParser.Parse(
            ["--model_dir=/m", "--model_name", "iris", "--http_port=9000", "--device=CPU", "--max-batch-delay-ms", "2.5", "--max_request_bytes=1024"]);

        Assert.Equal("/m", options.ModelDir);
        Assert.Equal("iris", options.ModelName);
        Assert.Equal(9000, options.HttpPort);
        Assert.Equal(DeviceKind.Cpu, options.Device);
        Assert.Equal(TimeSpan.FromMilliseconds(2.5), options.MaxBatchDelay);
        Assert.Equal(1024, options.MaxRequestBytes);
    }

    [Theory]
    [InlineData(new string[0], "--model-dir is required")]
    [InlineData(new[] { "--model-dir" }, "option --model-dir needs a value")]
    [InlineData(new[] { "--model-dir", "/m", "--http-port", "70000" }, "--http-port must be an integer from 0 to 65535, not '70000'")]
    [InlineData(new[] { "--model-dir", "/m", "--max-batch-delay-ms", "soon" }, "--max-batch-delay-ms must be a number from 0 to 60000, not 'soon'")]
    [InlineData(new[] { "--model-dir", "/m", "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--model-dir", "/m", "--log-level", "loud" }, "--log-level must be one of")]
    [InlineData(new[] { "--model-dir", "/m", "--cudnn-conv-algo-search", "fast" }, "--cudnn-conv-algo-search must be heuristic, exhaustive or default, not 'fast'")]
    public void Bad_arguments_say_which_and_why(string[] args, string message)
    {
        var error = Assert.Throws<OptionsException>(() => RuntimeOptionsParser.Parse(args));

        Assert.Contains(message, error.Message);
    }
}
