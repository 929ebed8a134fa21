using System.Globalization;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Payloads;

namespace Serving.LoadTests.Runtime;

/// <summary>What <c>serving-loadtests runtime</c> measures and for how long; paths are relative to the working directory.</summary>
internal sealed record RuntimeBenchOptions
{
    public const string Usage = """
        usage: serving-loadtests runtime [options]   (run from the repository root)
          --model PATH               ONNX model (default .models/ppocr-cls/model.onnx)
          --model-name NAME          name the server serves it under (default ppocr-cls)
          --server-dll PATH          serving-runtime build (default runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime.dll)
          --output PATH              markdown report (default loadtests/reports/runtime.md; a .png plot goes beside it)
          --work-dir DIR             payloads, server logs and raw results (default loadtests/results/runtime)
          --no-plot                  skip the throughput plot
          --cell-seconds S           measured wrk time per cell (default 8)
          --warmup-seconds S         wrk warm-up before each cell (default 2)
          --baseline-seconds S       in-process time per batch size, at the start and again at the end (default 3)
          --concurrency LIST         wrk connections (default 1,8,32)
          --batch-sizes LIST         --max-batch-size values for batching on (default 8,16,32)
          --delays LIST              --max-batch-delay-ms values to try; the best is used for every batching-on cell (default 0,1,2)
          --baseline-batches LIST    in-process batch sizes (default 1,8,16,32,64)
          --protocols LIST           binary and/or json (default binary,json)
          --wrk-threads N            wrk threads; 0 = one per 16 connections, at least 1 (default 0)
          --attempts N               measure a baseline point or cell up to N times while other processes use more than
                                     0.25 cores, keeping the quietest attempt (default 2)
        """;

    public string ModelPath { get; init; } = ".models/ppocr-cls/model.onnx";

    public string ModelName { get; init; } = "ppocr-cls";

    public string ServerDll { get; init; } = "runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime.dll";

    public string OutputPath { get; init; } = "loadtests/reports/runtime.md";

    public string WorkDir { get; init; } = "loadtests/results/runtime";

    public bool Plot { get; init; } = true;

    public TimeSpan CellDuration { get; init; } = TimeSpan.FromSeconds(8);

    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(3);

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 8, 32];

    public IReadOnlyList<int> BatchSizes { get; init; } = [8, 16, 32];

    public IReadOnlyList<double> Delays { get; init; } = [0, 1, 2];

    public IReadOnlyList<int> BaselineBatches { get; init; } = [1, 8, 16, 32, 64];

    public IReadOnlyList<WireFormat> Protocols { get; init; } = [WireFormat.Binary, WireFormat.Json];

    public int WrkThreads { get; init; }

    public int Attempts { get; init; } = 2;

    /// <summary>The arguments as given, for the report's "commands used".</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public static RuntimeBenchOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool noPlot = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }

            string name = arg[2..];
            if (name == "no-plot")
            {
                noPlot = true;
                continue;
            }

            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                values[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new UsageException($"option --{name} needs a value");
            }
        }

        string? Take(string name) => values.Remove(name, out string? v) ? v : null;

        var d = new RuntimeBenchOptions();
        var options = new RuntimeBenchOptions
        {
            ModelPath = Take("model") ?? d.ModelPath,
            ModelName = Take("model-name") ?? d.ModelName,
            ServerDll = Take("server-dll") ?? d.ServerDll,
            OutputPath = Take("output") ?? d.OutputPath,
            WorkDir = Take("work-dir") ?? d.WorkDir,
            Plot = !noPlot,
            CellDuration = Seconds(Take("cell-seconds"), "cell-seconds", 1) ?? d.CellDuration,
            WarmupDuration = Seconds(Take("warmup-seconds"), "warmup-seconds", 0) ?? d.WarmupDuration,
            BaselineDuration = Seconds(Take("baseline-seconds"), "baseline-seconds", 0.5) ?? d.BaselineDuration,
            Concurrency = Ints(Take("concurrency"), "concurrency", 1) ?? d.Concurrency,
            BatchSizes = Ints(Take("batch-sizes"), "batch-sizes", 2) ?? d.BatchSizes,
            Delays = Doubles(Take("delays"), "delays") ?? d.Delays,
            BaselineBatches = Ints(Take("baseline-batches"), "baseline-batches", 1) ?? d.BaselineBatches,
            Protocols = Take("protocols") is { } p ? ParseProtocols(p) : d.Protocols,
            WrkThreads = Ints(Take("wrk-threads"), "wrk-threads", 0) is [var t] ? t : d.WrkThreads,
            Attempts = Ints(Take("attempts"), "attempts", 1) is [var a] ? a : d.Attempts,
            Arguments = [.. args],
        };

        if (values.Count > 0)
        {
            throw new UsageException($"unknown option --{values.Keys.First()}");
        }

        return options;
    }

    private static TimeSpan? Seconds(string? value, string name, double min) =>
        value is null ? null
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= min && s <= 3600
            ? TimeSpan.FromSeconds(s)
            : throw new UsageException($"--{name} must be a number of seconds from {min} to 3600, not '{value}'");

    private static int[]? Ints(string? value, string name, int min) =>
        value?.Split(',').Select(v =>
            int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= 4096
                ? n
                : throw new UsageException($"--{name} takes integers from {min} to 4096, not '{v}'")).Distinct().ToArray();

    private static double[]? Doubles(string? value, string name) =>
        value?.Split(',').Select(v =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= 0 && n <= 1000
                ? n
                : throw new UsageException($"--{name} takes numbers from 0 to 1000, not '{v}'")).Distinct().ToArray();

    private static WireFormat[] ParseProtocols(string value) =>
        [.. value.Split(',').Select(v => v switch
        {
            "binary" => WireFormat.Binary,
            "json" => WireFormat.Json,
            _ => throw new UsageException($"--protocols takes binary and json, not '{v}'"),
        }).Distinct()];
}
