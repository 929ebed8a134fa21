using Serving.LoadTests.Cli;
using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// Runs a phase in interleaved rounds: every round measures every target at every concurrency, starting one target
/// later than the round before, so that no target always runs first or right after the same neighbour. Each target
/// is a fresh process in every round (started, warmed, measured, stopped), so that whatever luck one process has
/// (where its threads land, how its pools settle) is spread over the rounds instead of favouring one target.
/// </summary>
internal sealed class PhaseRunner(
    GatewayBenchOptions options, TargetLauncher launcher, CellMeasurer measurer, int backendPort, Progress progress)
{
    private readonly Dictionary<string, string> _commands = [];

    /// <summary>The command line each target was first started with, by target name.</summary>
    public IReadOnlyDictionary<string, string> Commands => _commands;

    public TargetSpec Direct() => new(Target.Direct, TargetKind.Direct, _ => Task.FromResult(TargetLauncher.Direct(backendPort)));

    public TargetSpec Gateway(string name, TuningVariant variant, params string[] arguments) =>
        new(name, TargetKind.Gateway, ct => launcher.StartGatewayAsync(name, variant, backendPort, ct, arguments));

    public TargetSpec Nginx() => new(GatewayBenchResult.Nginx, TargetKind.Nginx, ct => launcher.StartNginxProxyAsync(backendPort, ct));

    public TargetSpec Yarp() => new(GatewayBenchResult.Yarp, TargetKind.Yarp, ct => launcher.StartYarpAsync(backendPort, ct));

    public TargetSpec Go() => new(GatewayBenchResult.Go, TargetKind.Go, ct => launcher.StartGoProxyAsync(backendPort, ct));

    /// <summary>One gateway per variant, named after it, and the direct baseline.</summary>
    public Task<PhaseCells> VariantsAsync(string phase, IReadOnlyList<TuningVariant> variants, int rounds, CancellationToken cancellationToken) =>
        RoundsAsync(phase, [Direct(), .. variants.Select(v => Gateway(v.Name, v))], rounds, cancellationToken);

    public async Task<PhaseCells> RoundsAsync(string phase, IReadOnlyList<TargetSpec> targets, int rounds, CancellationToken cancellationToken)
    {
        var cells = new List<ProxyCell>();
        for (int round = 1; round <= rounds; round++)
        {
            int shift = (round - 1) % targets.Count;
            progress.Write($"{phase}, round {round} of {rounds}");
            foreach (var spec in targets.Skip(shift).Concat(targets.Take(shift)))
            {
                cells.AddRange(await MeasureTargetAsync(phase, round, spec, cancellationToken));
            }
        }

        return new PhaseCells(phase, [.. targets.Select(t => t.Name)], options.Concurrency, cells);
    }

    private async Task<List<ProxyCell>> MeasureTargetAsync(string phase, int round, TargetSpec spec, CancellationToken cancellationToken)
    {
        Target target;
        try
        {
            target = await spec.StartAsync(cancellationToken);
        }
        catch (BenchmarkException e)
        {
            progress.Write($"  {spec.Name}: {e.Message}");
            return [.. options.Concurrency.Select(c => ProxyCell.NotMeasured(phase, round, spec.Name, spec.Kind, c, e.Message))];
        }

        try
        {
            // The backend reached directly is not a fresh process: its cells' own warm-ups are enough.
            if (target.Process is { } process)
            {
                _commands.TryAdd(spec.Name, process.Spec.CommandLine);
                await measurer.WarmAsync(target, cancellationToken);
            }

            var cells = new List<ProxyCell>();
            foreach (int concurrency in options.Concurrency)
            {
                var cell = await measurer.MeasureAsync(phase, round, target, concurrency, cancellationToken);
                progress.Write("  " + CellMeasurer.Describe(cell));
                cells.Add(cell);
            }

            return cells;
        }
        finally
        {
            if (target.Process is { } process)
            {
                await process.DisposeAsync();
            }
        }
    }
}
