using Serving.LoadTests.Baseline;
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
          --row-shape LIST           input dimensions past the batch where the model leaves them dynamic (default 3,48,192:
                                     a PP-OCR cls text-line crop); fixed ones come from the model
          --device cpu|cuda          where the server (--device) and the in-process baseline run the model (default cpu)
          --cudnn-conv-algo-search S heuristic, exhaustive or default, for the server and the baseline alike on CUDA
                                     (default heuristic, the server's default)
          --server-dll PATH          serving-runtime build (default runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime.dll)
          --output PATH              markdown report (default loadtests/reports/runtime.md; a .png plot goes beside it)
          --work-dir DIR             payloads, server logs and raw results (default loadtests/results/runtime)
          --no-plot                  skip the throughput plot
          --cell-seconds S           measured wrk time per cell (default 8)
          --warmup-seconds S         wrk warm-up before each cell (default 2)
          --baseline-seconds S       in-process time per batch size, at the start and again at the end (default 3)
          --concurrency LIST         wrk connections (default 1,8,32)
          --batch-sizes LIST         --max-batch-size values for batching on (default 8,16,32)
          --batch-padding LIST       the server's --batch-padding for batching-on cells: auto, on and/or off; each value
                                     is a configuration of its own (default auto)
          --delays LIST              --max-batch-delay-ms values to try; the best is used for every batching-on cell (default 0,1,2)
          --baseline-batches LIST    in-process batch sizes (default 1,8,16,32,64)
          --protocols LIST           binary and/or json (default binary,json)
          --wrk-threads N            wrk threads; 0 = one per 16 connections, at least 1 (default 0)
          --attempts N               measure a baseline point or cell up to N times while other processes use more than
                                     0.25 cores, keeping the quietest attempt (default 2)
        """;

    public string ModelPath { get; init; } = ".models/ppocr-cls/model.onnx";

    public string ModelName { get; init; } = "ppocr-cls";

    public BenchDevice Device { get; init; } = BenchDevice.Cpu;

    public string CudnnConvAlgoSearch { get; init; } = "heuristic";

    public IReadOnlyList<int> RowShape { get; init; } = [3, 48, 192];

    public string ServerDll { get; init; } = "runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime.dll";

    public string OutputPath { get; init; } = "loadtests/reports/runtime.md";

    public string WorkDir { get; init; } = "loadtests/results/runtime";

    public bool Plot { get; init; } = true;

    public TimeSpan CellDuration { get; init; } = TimeSpan.FromSeconds(8);

    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan BaselineDuration { get; init; } = TimeSpan.FromSeconds(3);

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 8, 32];

    public IReadOnlyList<int> BatchSizes { get; init; } = [8, 16, 32];

    public IReadOnlyList<string> BatchPadding { get; init; } = ["auto"];

    public IReadOnlyList<double> Delays { get; init; } = [0, 1, 2];

    public IReadOnlyList<int> BaselineBatches { get; init; } = [1, 8, 16, 32, 64];

    public IReadOnlyList<WireFormat> Protocols { get; init; } = [WireFormat.Binary, WireFormat.Json];

    public int WrkThreads { get; init; }

    public int Attempts { get; init; } = 2;

    /// <summary>The arguments as given, for the report's "commands used".</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public static RuntimeBenchOptions Parse(IReadOnlyList<string> args)
    {
        var read = new OptionReader(args, new HashSet<string>(["no-plot"], StringComparer.Ordinal));
        var d = new RuntimeBenchOptions();
        var options = new RuntimeBenchOptions
        {
            ModelPath = read.Text("model") ?? d.ModelPath,
            ModelName = read.Text("model-name") ?? d.ModelName,
            RowShape = read.Ints("row-shape", 1) ?? d.RowShape,
            CudnnConvAlgoSearch = read.Text("cudnn-conv-algo-search") is { } search ? ParseSearch(search) : d.CudnnConvAlgoSearch,
            Device = read.Text("device") is { } device ? ParseDevice(device) : d.Device,
            ServerDll = read.Text("server-dll") ?? d.ServerDll,
            OutputPath = read.Text("output") ?? d.OutputPath,
            WorkDir = read.Text("work-dir") ?? d.WorkDir,
            Plot = !read.Flag("no-plot"),
            CellDuration = read.Seconds("cell-seconds", 1) ?? d.CellDuration,
            WarmupDuration = read.Seconds("warmup-seconds", 0) ?? d.WarmupDuration,
            BaselineDuration = read.Seconds("baseline-seconds", 0.5) ?? d.BaselineDuration,
            Concurrency = read.Ints("concurrency", 1) ?? d.Concurrency,
            BatchSizes = read.Ints("batch-sizes", 2) ?? d.BatchSizes,
            BatchPadding = read.Text("batch-padding") is { } padding ? ParsePadding(padding) : d.BatchPadding,
            Delays = read.Doubles("delays") ?? d.Delays,
            BaselineBatches = read.Ints("baseline-batches", 1) ?? d.BaselineBatches,
            Protocols = read.Text("protocols") is { } p ? ParseProtocols(p) : d.Protocols,
            WrkThreads = read.Int("wrk-threads", 0) ?? d.WrkThreads,
            Attempts = read.Int("attempts", 1) ?? d.Attempts,
            Arguments = [.. args],
        };

        read.EnsureAllTaken();
        return options;
    }

    private static string ParseSearch(string value) => value is "heuristic" or "exhaustive" or "default"
        ? value
        : throw new UsageException($"--cudnn-conv-algo-search takes heuristic, exhaustive or default, not '{value}'");

    private static string[] ParsePadding(string value) =>
        [.. value.Split(',').Select(v => v is "auto" or "on" or "off"
            ? v
            : throw new UsageException($"--batch-padding takes auto, on and off, not '{v}'")).Distinct()];

    private static BenchDevice ParseDevice(string value) => value switch
    {
        "cpu" => BenchDevice.Cpu,
        "cuda" => BenchDevice.Cuda,
        _ => throw new UsageException($"--device takes cpu or cuda, not '{value}'"),
    };

    private static WireFormat[] ParseProtocols(string value) =>
        [.. value.Split(',').Select(v => v switch
        {
            "binary" => WireFormat.Binary,
            "json" => WireFormat.Json,
            _ => throw new UsageException($"--protocols takes binary and json, not '{v}'"),
        }).Distinct()];
}
