namespace Serving.LoadTests.Baseline;

/// <summary>
/// In-process throughput at one batch size: <see cref="Runs"/> calls of <c>Run</c> in <see cref="Seconds"/>.
/// <see cref="OtherCores"/> is what the rest of the machine used meanwhile (neighbours on a shared machine).
/// </summary>
internal sealed record BaselinePoint(int Batch, long Runs, double Seconds, double CpuCores, double OtherCores)
{
    public double ImagesPerSecond => Runs * Batch / Seconds;

    public double MillisecondsPerRun => Seconds * 1000 / Runs;
}
