using System.Globalization;
using Serving.LoadTests.Baseline;

namespace Serving.LoadTests.Server;

/// <summary>
/// One serving-runtime configuration under test; <see cref="MaxBatchSize"/> 1 is batching off. <see cref="BatchPadding"/>
/// is the server's <c>--batch-padding</c> (auto, on or off).
/// </summary>
internal sealed record ServerConfig(
    int MaxBatchSize,
    double MaxBatchDelayMs,
    BenchDevice Device = BenchDevice.Cpu,
    string CudnnConvAlgoSearch = "heuristic",
    string BatchPadding = "auto")
{
    public bool Batching => MaxBatchSize > 1;

    public string Label => Batching
        ? string.Create(CultureInfo.InvariantCulture, $"on, max {MaxBatchSize}, {MaxBatchDelayMs:0.##} ms") +
          (BatchPadding == "auto" ? "" : $", padding {BatchPadding}")
        : "off";

    /// <summary>A file-name-safe name for logs.</summary>
    public string FileKey => string.Create(CultureInfo.InvariantCulture, $"b{MaxBatchSize}-d{MaxBatchDelayMs}-p{BatchPadding}");

    public IReadOnlyList<string> Arguments(string modelDir, string modelName, int port) =>
    [
        "--model-dir", modelDir,
        "--model-name", modelName,
        "--host", "127.0.0.1",
        "--http-port", port.ToString(CultureInfo.InvariantCulture),
        "--max-batch-size", MaxBatchSize.ToString(CultureInfo.InvariantCulture),
        "--max-batch-delay-ms", MaxBatchDelayMs.ToString(CultureInfo.InvariantCulture),
        "--intra-op-threads", "0",
        "--device", Device == BenchDevice.Cuda ? "cuda" : "cpu",
        "--cudnn-conv-algo-search", CudnnConvAlgoSearch,
        "--batch-padding", BatchPadding,
        "--log-level", "Warning",
    ];
}
