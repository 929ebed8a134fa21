namespace Serving.LoadTests.ColdStart;

/// <summary>Nearest-rank percentiles of a few durations.</summary>
internal static class Stats
{
    public static TimeSpan Percentile(IReadOnlyCollection<TimeSpan> values, double fraction)
    {
        if (values.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var sorted = values.Order().ToList();
        int rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
