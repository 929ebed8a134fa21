using Serving.LoadTests.Baseline;

namespace Serving.LoadTests.Runtime;

/// <summary>The in-process baseline measured at the start and at the end of the run; the mean of the two is the reference.</summary>
internal sealed record BaselineSummary(IReadOnlyList<BaselinePoint> Start, IReadOnlyList<BaselinePoint> End)
{
    public IEnumerable<int> Batches => Start.Select(p => p.Batch);

    public double Mean(int batch)
    {
        var start = Start.FirstOrDefault(p => p.Batch == batch);
        var end = End.FirstOrDefault(p => p.Batch == batch);
        return (start, end) switch
        {
            (null, null) => double.NaN,
            ({ } s, null) => s.ImagesPerSecond,
            (null, { } e) => e.ImagesPerSecond,
            ({ } s, { } e) => (s.ImagesPerSecond + e.ImagesPerSecond) / 2,
        };
    }

    public (int Batch, double ImagesPerSecond) Best =>
        Batches.Select(b => (b, Mean(b))).MaxBy(x => x.Item2);

    /// <summary>The best of every single measurement, start or end: the conservative reference when the two disagree.</summary>
    public double BestSingle => Start.Concat(End).Max(p => p.ImagesPerSecond);

    /// <summary>How far apart start and end are at the best batch size (0.1 = 10 %).</summary>
    public double Drift
    {
        get
        {
            int batch = Best.Batch;
            var start = Start.FirstOrDefault(p => p.Batch == batch)?.ImagesPerSecond ?? double.NaN;
            var end = End.FirstOrDefault(p => p.Batch == batch)?.ImagesPerSecond ?? double.NaN;
            return Math.Abs(start - end) / Math.Max(start, end);
        }
    }
}
