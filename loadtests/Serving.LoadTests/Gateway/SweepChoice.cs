using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// How the tuning sweep judges a variant: by the gateway's CPU per request against the default measured in the same
/// rounds (the geometric mean over concurrencies of the median per-round ratio; below 1 is better), with the added
/// p50 at the lowest concurrency as a guard. A saving counts only beyond the noise the A/A control shows.
/// </summary>
internal static class SweepChoice
{
    /// <summary>A variant helps when it saves at least this share of the default's CPU per request (or the noise, if larger).</summary>
    public const double MinGain = 0.03;

    /// <summary>The added p50 at the lowest concurrency may grow by at most this much (µs) over the default's.</summary>
    public const double MaxAddedP50Growth = 5;

    public static double Score(PhaseCells cells, string variant, string reference)
    {
        double[] ratios = [.. cells.Concurrencies.Select(c => cells.Ratio(variant, reference, c, x => x.UsPerRequest).Median)];
        return ratios.All(r => double.IsFinite(r) && r > 0) ? Math.Exp(ratios.Average(Math.Log)) : double.NaN;
    }

    /// <summary>The saving a variant must beat: <see cref="MinGain"/>, or how far the A/A control landed from 1 when that is more.</summary>
    public static double Threshold(PhaseCells cells, IEnumerable<TuningVariant> variants, string reference)
    {
        var control = variants.FirstOrDefault(v => v.Control);
        double noise = control is null ? 0 : Math.Abs(1 - Score(cells, control.Name, reference));
        return Math.Max(MinGain, double.IsFinite(noise) ? noise : 0);
    }

    /// <summary>Every variant but the reference and the control, best score first.</summary>
    public static IReadOnlyList<(TuningVariant Variant, double Score)> Rank(PhaseCells cells, IEnumerable<TuningVariant> variants, string reference) =>
        [.. variants.Where(v => v.Name != reference && !v.Control)
            .Select(v => (v, Score(cells, v.Name, reference)))
            .OrderBy(x => double.IsFinite(x.Item2) ? x.Item2 : double.MaxValue)];

    public static bool Helps(double score, double threshold) => double.IsFinite(score) && score <= 1 - threshold;

    /// <summary>The two best variants that help and whose combination differs from both (e.g. not gen0 and gen0 + workstation GC).</summary>
    public static (TuningVariant? First, TuningVariant? Second) BestTwo(
        IReadOnlyList<(TuningVariant Variant, double Score)> ranking, double threshold)
    {
        var helping = ranking.Where(r => Helps(r.Score, threshold)).Select(r => r.Variant).ToList();
        if (helping.Count == 0)
        {
            return (null, null);
        }

        var first = helping[0];
        var second = helping.Skip(1).FirstOrDefault(v =>
        {
            var combined = first.Combine(v);
            return !combined.SameKnobs(first) && !combined.SameKnobs(v);
        });
        return (first, second);
    }

    /// <summary>The best-scoring candidate that helps without adding more than <see cref="MaxAddedP50Growth"/> µs of p50 at the lowest concurrency.</summary>
    public static TuningVariant? Recommend(PhaseCells cells, IEnumerable<TuningVariant> candidates, string reference, double threshold)
    {
        int lowest = cells.Concurrencies.Min();
        double referenceP50 = cells.Added(reference, lowest, c => c.P50).Median;
        return Rank(cells, candidates, reference)
            .Where(r => Helps(r.Score, threshold) && !(cells.Added(r.Variant.Name, lowest, c => c.P50).Median > referenceP50 + MaxAddedP50Growth))
            .Select(r => r.Variant)
            .FirstOrDefault();
    }
}
