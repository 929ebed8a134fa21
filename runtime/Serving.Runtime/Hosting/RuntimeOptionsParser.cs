using System.Globalization;
using Microsoft.Extensions.Logging;
using Serving.Runtime.Execution;
using Serving.Runtime.Models;

namespace Serving.Runtime.Hosting;

/// <summary>
/// Parses <c>--name value</c> or <c>--name=value</c>. KServe's spellings (<c>--model_name</c>, <c>--model_dir</c>,
/// <c>--http_port</c>) are accepted, since ServingRuntime manifests pass them.
/// </summary>
public static class RuntimeOptionsParser
{
    public const string Usage = """
        usage: serving-runtime --model-dir DIR [options]
          --model-dir DIR            KServe model directory: model.onnx, <model>/model.onnx or <model>/<version>/model.onnx
          --model-name NAME          name for a bare model.onnx (default: model)
          --model-version N          version for a bare model.onnx (a positive integer; default: none)
          --host ADDRESS             address to listen on (default 127.0.0.1; 0.0.0.0 in a pod)
          --http-port PORT           HTTP port (default 8080; 0 = any free port)
          --device auto|cpu|cuda     execution device (default auto: CUDA when available, else CPU)
          --device-id N              CUDA device (default 0)
          --cudnn-conv-algo-search heuristic|exhaustive|default
                                     how CUDA picks convolution algorithms per input shape (default heuristic;
                                     exhaustive benchmarks each new batch size, which stalls dynamic batching)
          --intra-op-threads N       ONNX Runtime threads per session (default 0: one per core)
          --max-batch-size N         rows per batched run; 1 turns dynamic batching off (default 32)
          --max-batch-delay-ms MS    how long a request may wait for others to join its batch (default 0)
          --batch-padding auto|on|off
                                     pad each batched run with zero rows to a power of two (or the max batch size),
                                     each size on its own session (default auto: on with CUDA, off on CPU)
          --max-request-bytes N      largest request body accepted (default 67108864)
          --shutdown-timeout-s S     how long in-flight requests may take to finish on shutdown (default 30)
          --drain-delay-s S          after SIGTERM, keep serving (not ready) this long before the listener closes, while
                                     routing lets the pod go (default 3 in a pod, i.e. with KUBERNETES_SERVICE_HOST set; else 0)
          --log-level LEVEL          Trace, Debug, Information, Warning, Error (default Information)
          --otlp-endpoint URL        export traces by OTLP (default: OTEL_EXPORTER_OTLP_ENDPOINT if set, else none)
          --trace-to console|FILE    also write spans to the console, or append them to FILE as JSON lines
                                     (default: SERVING_TRACE_TO if set, else none)
        """;

    public static RuntimeOptions Parse(IReadOnlyList<string> args)
    {
        var values = ReadOptions(args);

        string? Take(string name) => values.Remove(name, out string? v) ? v : null;

        var defaults = new RuntimeOptions { ModelDir = "" };
        var options = new RuntimeOptions
        {
            ModelDir = Take("model-dir") ?? throw new OptionsException("--model-dir is required"),
            ModelName = Take("model-name"),
            ModelVersion = Long(Take("model-version"), "model-version", 1, long.MaxValue)?.ToString(CultureInfo.InvariantCulture),
            Host = Take("host") ?? defaults.Host,
            HttpPort = Int(Take("http-port"), "http-port", 0, 65535) ?? defaults.HttpPort,
            Device = Take("device") is { } device ? ParseDevice(device) : defaults.Device,
            DeviceId = Int(Take("device-id"), "device-id", 0, 64) ?? 0,
            CudnnConvAlgoSearch = Take("cudnn-conv-algo-search") is { } search ? ParseConvAlgoSearch(search) : defaults.CudnnConvAlgoSearch,
            IntraOpThreads = Int(Take("intra-op-threads"), "intra-op-threads", 0, 1024) ?? 0,
            MaxBatchSize = Int(Take("max-batch-size"), "max-batch-size", 1, 65536) ?? defaults.MaxBatchSize,
            MaxBatchDelay = Double(Take("max-batch-delay-ms"), "max-batch-delay-ms", 0, 60_000) is { } ms
                ? TimeSpan.FromMilliseconds(ms) : defaults.MaxBatchDelay,
            BatchPadding = Take("batch-padding") is { } padding ? ParsePadding(padding) : defaults.BatchPadding,
            MaxRequestBytes = Long(Take("max-request-bytes"), "max-request-bytes", 1, long.MaxValue) ?? defaults.MaxRequestBytes,
            ShutdownTimeout = Double(Take("shutdown-timeout-s"), "shutdown-timeout-s", 0, 3600) is { } s
                ? TimeSpan.FromSeconds(s) : defaults.ShutdownTimeout,
            DrainDelay = Double(Take("drain-delay-s"), "drain-delay-s", 0, 3600) is { } drain ? TimeSpan.FromSeconds(drain)
                : Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 } ? RuntimeOptions.PodDrainDelay : defaults.DrainDelay,
            LogLevel = Take("log-level") is { } level ? ParseLogLevel(level) : defaults.LogLevel,
            Tracing = ParseTracing(Take("otlp-endpoint"), Take("trace-to")),
        };

        if (values.Count > 0)
        {
            throw new OptionsException($"unknown option --{values.Keys.First()}");
        }

        return options;
    }

    private static Serving.Telemetry.Tracing.TracingOptions ParseTracing(string? otlpEndpoint, string? traceTo)
    {
        try
        {
            return Serving.Telemetry.Tracing.TracingOptions.From(otlpEndpoint, traceTo, "serving-runtime");
        }
        catch (ArgumentException e)
        {
            throw new OptionsException(e.Message);
        }
    }

    private static DeviceKind ParseDevice(string value) => value.ToLowerInvariant() switch
    {
        "auto" => DeviceKind.Auto,
        "cpu" => DeviceKind.Cpu,
        "cuda" or "gpu" => DeviceKind.Cuda,
        _ => throw new OptionsException($"--device must be auto, cpu or cuda, not '{value}'"),
    };

    private static CudnnConvAlgoSearch ParseConvAlgoSearch(string value) => value.ToLowerInvariant() switch
    {
        "heuristic" => CudnnConvAlgoSearch.Heuristic,
        "exhaustive" => CudnnConvAlgoSearch.Exhaustive,
        "default" => CudnnConvAlgoSearch.Default,
        _ => throw new OptionsException($"--cudnn-conv-algo-search must be heuristic, exhaustive or default, not '{value}'"),
    };

    private static BatchPadding ParsePadding(string value) => value.ToLowerInvariant() switch
    {
        "auto" => BatchPadding.Auto,
        "on" => BatchPadding.On,
        "off" => BatchPadding.Off,
        _ => throw new OptionsException($"--batch-padding must be auto, on or off, not '{value}'"),
    };

    /// <summary>
    /// The command line as <c>--name value</c> or <c>--name=value</c> options, underscores read as dashes (KServe's
    /// spellings); bare arguments go to <paramref name="positionals"/>, or are refused when it is null.
    /// </summary>
    internal static Dictionary<string, string> ReadOptions(IReadOnlyList<string> args, List<string>? positionals = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (positionals is null)
                {
                    throw new OptionsException($"unexpected argument '{arg}'");
                }

                positionals.Add(arg);
                continue;
            }

            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            name = name.Replace('_', '-');
            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new OptionsException($"option --{name} needs a value");
                }

                value = args[++i];
            }

            values[name] = value;
        }

        return values;
    }

    internal static LogLevel ParseLogLevel(string value) =>
        Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level)
            ? level
            : throw new OptionsException($"--log-level must be one of {string.Join(", ", Enum.GetNames<LogLevel>())}, not '{value}'");

    internal static int? Int(string? value, string name, int min, int max) => (int?)Long(value, name, min, max);

    internal static long? Long(string? value, string name, long min, long max)
    {
        if (value is null)
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) || n < min || n > max)
        {
            throw new OptionsException($"--{name} must be an integer from {min} to {max}, not '{value}'");
        }

        return n;
    }

    internal static double? Double(string? value, string name, double min, double max)
    {
        if (value is null)
        {
            return null;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || n < min || n > max)
        {
            throw new OptionsException($"--{name} must be a number from {min} to {max}, not '{value}'");
        }

        return n;
    }
}

public sealed class OptionsException(string message) : Exception(message);
