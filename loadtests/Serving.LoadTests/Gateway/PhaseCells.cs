namespace Serving.LoadTests.Gateway;

/// <summary>
/// The cells of one interleaved phase, with the figures the report needs: medians over rounds, and comparisons made
/// round by round (a target against the direct baseline or another target measured minutes apart, not a whole run apart).
/// </summary>
internal sealed class PhaseCells(string phase, IReadOnlyList<string> targets, IReadOnlyList<int> concurrencies, IReadOnlyList<ProxyCell> cells)
{
    public string Phase { get; } = phase;

    /// <summary>Target names in the order they were given (the first round's order).</summary>
    public IReadOnlyList<string> Targets { get; } = targets;

    public IReadOnlyList<int> Concurrencies { get; } = concurrencies;

    public IReadOnlyList<ProxyCell> Cells { get; } = cells;

    public int Rounds => Cells.Count == 0 ? 0 : Cells.Max(c => c.Round);

    public Spread Of(string target, int concurrency, Func<ProxyCell, double> figure) =>
        Spread.Of(For(target, concurrency).Select(figure));

    /// <summary><paramref name="figure"/> of the target minus the direct baseline's, round by round (added latency).</summary>
    public Spread Added(string target, int concurrency, Func<ProxyCell, double> figure) =>
        Paired(target, Target.Direct, concurrency, (a, b) => figure(a) - figure(b));

    /// <summary><paramref name="figure"/> of <paramref name="target"/> ÷ that of <paramref name="reference"/>, round by round.</summary>
    public Spread Ratio(string target, string reference, int concurrency, Func<ProxyCell, double> figure) =>
        Paired(target, reference, concurrency, (a, b) => figure(a) / figure(b));

    public IEnumerable<ProxyCell> For(string target, int concurrency) =>
        Cells.Where(c => c.Target == target && c.Concurrency == concurrency);

    public bool AnyFailed(string target) => Cells.Any(c => c.Target == target && c.Failed);

    public double MaxOtherCores(string target, int concurrency) =>
        For(target, concurrency).Select(c => c.OtherCores).DefaultIfEmpty(double.NaN).Max();

    private Spread Paired(string target, string reference, int concurrency, Func<ProxyCell, ProxyCell, double> compare) =>
        Spread.Of(For(target, concurrency).Join(
            For(reference, concurrency), c => c.Round, c => c.Round, compare));
}
