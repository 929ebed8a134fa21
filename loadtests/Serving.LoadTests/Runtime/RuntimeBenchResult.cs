using Serving.LoadTests.Observation;
using Serving.LoadTests.Payloads;
using Serving.LoadTests.Server;

namespace Serving.LoadTests.Runtime;

/// <summary>Everything one <c>runtime</c> benchmark run measured, plus what the report needs to say how.</summary>
internal sealed record RuntimeBenchResult(
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    MachineInfo Machine,
    RuntimeBenchOptions Options,
    BaselineSummary Baseline,
    ImageInput Input,
    IReadOnlyList<CellResult> DelaySweep,
    double ChosenDelayMs,
    IReadOnlyList<CellResult> Cells,
    IReadOnlyDictionary<WireFormat, InferPayload> Payloads,
    string ServerCommand,
    string WrkCommand)
{
    /// <summary>
    /// The target cell: batching on, binary, the highest concurrency, at the best max batch size. A cell with
    /// errors still counts (the report flags it), so that errors cannot make the target line disappear.
    /// </summary>
    public CellResult? TargetCell => Cells
        .Where(c => c.Config.Batching && c.Format == WireFormat.Binary && c.Concurrency == Options.Concurrency.Max() && c.Wrk is not null)
        .MaxBy(c => c.RequestsPerSecond);

    public double RatioToBest(CellResult cell) => cell.RequestsPerSecond / Baseline.Best.ImagesPerSecond;

    public double RatioToSameBatch(CellResult cell) => cell.RequestsPerSecond / Baseline.Mean(cell.Config.MaxBatchSize);

    public IEnumerable<ServerConfig> Configs => Cells.Select(c => c.Config).Distinct();
}
