using System.Diagnostics;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Observation;
using Serving.LoadTests.Reporting;
using Serving.LoadTests.Server;
using Serving.LoadTests.Snapshot;
using Serving.LoadTests.Tuning;
using Serving.LoadTests.Wrk;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// The <c>gateway</c> benchmark, in phases: the routing snapshot in process; which runtime knobs work from
/// runtimeconfig.json; the tuning sweep of the gateway alone; then the gateway, nginx and the Go reverse proxy in front
/// of the same nginx backend, against that backend reached directly, in interleaved rounds. Then the report.
/// </summary>
internal sealed class GatewayBenchmark(GatewayBenchOptions options, Progress progress)
{
    /// <summary>The request body: a KServe V1 predict for the iris model, as in the gateway's README.</summary>
    public const string Body = """{"instances":[[6.8,2.8,4.8,1.4]]}""";

    private readonly WrkRunner _wrk = new(options.WrkThreads);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string gatewayDll = Path.GetFullPath(options.GatewayDll);
        if (!File.Exists(gatewayDll))
        {
            throw new BenchmarkException($"{gatewayDll} not found (dotnet build gateway/Serving.Gateway.Host -c Release)");
        }

        bool servers = options.Runs("sweep") || options.Runs("proxies");
        if (options.Runs("proxies") && !File.Exists(options.GoProxy))
        {
            throw new BenchmarkException($"{options.GoProxy} not found (loadtests/run-gateway-bench.sh builds it from loadtests/go-proxy)");
        }

        var machine = MachineInfo.Read(
            await WrkRunner.VersionAsync(cancellationToken),
            servers ? await VersionAsync(options.Nginx, ["-v"], "nginx", cancellationToken) : "nginx not used",
            options.Runs("proxies") ? "Go reverse proxy built with " + await VersionAsync(options.GoProxy, ["-version"], "go-proxy", cancellationToken) : "Go proxy not used",
            "serving-gateway " + await GatewayRevisionAsync(cancellationToken));

        string workDir = Path.GetFullPath(options.WorkDir);
        Directory.CreateDirectory(workDir);
        string entry = TargetLauncher.GatewayEntryDll(options);
        string buildDir = Path.Combine(workDir, "build");
        BuildCopy.Create(Path.GetDirectoryName(gatewayDll)!, buildDir, entry, []);
        string bodyPath = Path.Combine(workDir, "predict.json");
        await File.WriteAllTextAsync(bodyPath, Body, cancellationToken);

        SnapshotResult? snapshot = null;
        if (options.Runs("snapshot"))
        {
            progress.Write($"routing snapshot with {options.Services} InferenceServices (in process)");
            (snapshot, _) = await QuietestAttempt.MeasureAsync(
                options.Attempts,
                () => Task.FromResult(SnapshotBenchmark.Run(options.Services, cancellationToken)),
                s => s.OtherCores,
                _ => null,
                (attempt, s) => progress.Write(
                    $"  attempt {attempt}: Replace {s.ReplaceMs.Median:0.00} ms (first {s.FirstReplaceMs:0.00} ms), Set {s.SetMs.Median:0.00} ms, " +
                    $"lookup {s.LookupNs.Median:0.0} ns, others {s.OtherCores:0.00} cores"));
        }

        IReadOnlyList<KnobCheck> knobs = [];
        if (options.Runs("knobs"))
        {
            progress.Write("runtime knobs: environment variable against runtimeconfig.json, by effect");
            knobs = await new RuntimeConfigCheck(buildDir, entry, workDir).RunAsync(m => progress.Write("  " + m), cancellationToken);
        }

        SweepResult? sweep = null;
        PhaseCells? proxies = null;
        string? tuned = null;
        var commands = new List<string>();
        if (servers)
        {
            var launcher = new TargetLauncher(options, buildDir, workDir);
            var (backend, backendPort) = await launcher.StartBackendAsync(cancellationToken);
            await using (backend)
            {
                commands.Add($"backend: {Relative(backend.Spec.CommandLine)}");
                using var measurer = new CellMeasurer(options, _wrk, backend, bodyPath, progress);
                var run = new PhaseRunner(options, launcher, measurer, backendPort, progress);
                if (options.Runs("sweep"))
                {
                    sweep = await RunSweepAsync(run, knobs, cancellationToken);
                }

                if (options.Runs("proxies"))
                {
                    proxies = await RunProxiesAsync(run, sweep?.Recommended, cancellationToken);
                    tuned = sweep?.Recommended is { } r ? TunedName(r) : null;
                }

                commands.AddRange(run.Commands
                    .Where(c => proxies is null || proxies.Targets.Contains(c.Key))
                    .Select(c => $"{c.Key}: {Relative(c.Value)}"));
            }
        }

        var result = new GatewayBenchResult(
            startedAt,
            clock.Elapsed,
            machine,
            options,
            snapshot,
            knobs,
            sweep,
            proxies,
            tuned,
            commands,
            [.. options.Concurrency.Select(c => Relative(_wrk.Describe(c, options.CellDuration, new WrkRequest(
                $"http://127.0.0.1:PORT{TargetLauncher.RequestPath}", bodyPath, CellMeasurer.ContentType, Headers: [$"Host: {TargetLauncher.Host}"]))))]);

        string report = GatewayReport.Write(result, options.OutputPath, options.Plot);
        foreach (string line in GatewayReport.TargetLines(result))
        {
            Console.WriteLine(line);
        }

        Console.WriteLine($"report: {report}");
        int failed = result.AllCells.Count(c => c.Failed);
        if (failed > 0)
        {
            Console.WriteLine($"{failed} cell(s) had errors; see the report's Errors section");
            return 1;
        }

        return 0;
    }

    private static string Relative(string text) => text.Replace(Environment.CurrentDirectory + "/", "", StringComparison.Ordinal);

    private static async Task<string> VersionAsync(string executable, string[] args, string name, CancellationToken cancellationToken)
    {
        try
        {
            var (exitCode, output) = await ShortCommand.RunAsync(new ProcessSpec(name, executable, args), TimeSpan.FromSeconds(10), cancellationToken);
            return exitCode == 0 ? output.Trim().Split('\n')[0] : throw new BenchmarkException($"'{executable} {string.Join(' ', args)}' exited with {exitCode}: {output.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BenchmarkException($"{executable} not found ({name}; loadtests/run-gateway-bench.sh installs or builds it)", e);
        }
    }

    /// <summary>The last commit that touched gateway/, and whether the working tree changes it: what the build was made from.</summary>
    private static async Task<string> GatewayRevisionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var limit = TimeSpan.FromSeconds(10);
            var (code, commit) = await ShortCommand.RunAsync(new ProcessSpec("git", "git", ["log", "-1", "--format=%h %cs", "--", "gateway"]), limit, cancellationToken);
            var (_, changes) = await ShortCommand.RunAsync(new ProcessSpec("git", "git", ["status", "--porcelain", "--", "gateway"]), limit, cancellationToken);
            int changed = changes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            return code != 0 ? "(not a git checkout)" : $"at commit {commit.Trim()}" + (changed > 0 ? $" with {changed} uncommitted change(s) under gateway/" : "");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "(git not available)";
        }
    }

    private async Task<SweepResult> RunSweepAsync(PhaseRunner run, IReadOnlyList<KnobCheck> knobs, CancellationToken cancellationToken)
    {
        string reference = TuningVariant.Default.Name;
        var firstVariants = TuningVariant.Singles;
        progress.Write($"tuning sweep, step 1: {firstVariants.Count} gateway variants, {options.SweepRounds} rounds");
        var first = await run.VariantsAsync("sweep", firstVariants, options.SweepRounds, cancellationToken);
        var firstRanking = SweepChoice.Rank(first, firstVariants, reference);
        double firstThreshold = SweepChoice.Threshold(first, firstVariants, reference);
        foreach (var (variant, score) in firstRanking)
        {
            progress.Write($"  {variant.Name}: {score:0.000}× the default's CPU per request");
        }

        progress.Write($"  a variant must save {firstThreshold:P1} (A/A control or the minimum, whichever is more)");
        var (best, next) = SweepChoice.BestTwo(firstRanking, firstThreshold);
        var secondVariants = new List<TuningVariant> { TuningVariant.Default, TuningVariant.DefaultAgain };
        if (best is not null)
        {
            secondVariants.Add(best);
        }

        if (next is not null)
        {
            secondVariants.Add(next);
            secondVariants.Add(best!.Combine(next));
        }

        // The candidate again, with each knob that works from runtimeconfig.json written there instead of the environment.
        var candidate = best is null ? null : secondVariants[^1];
        var working = knobs.Where(k => k.RuntimeConfigWorks).Select(k => k.Knob).ToList();
        if (candidate is not null && candidate.Knobs.Any(working.Contains))
        {
            secondVariants.Add(candidate.AsRuntimeConfig(working));
        }

        PhaseCells? second = null;
        IReadOnlyList<(TuningVariant, double)> secondRanking = [];
        double secondThreshold = double.NaN;
        TuningVariant? recommended = null;
        if (best is not null)
        {
            progress.Write($"tuning sweep, step 2: {string.Join(", ", secondVariants.Select(v => v.Name))}");
            second = await run.VariantsAsync("sweep-2", secondVariants, options.SweepRounds, cancellationToken);
            secondRanking = SweepChoice.Rank(second, secondVariants, reference);
            secondThreshold = SweepChoice.Threshold(second, secondVariants, reference);
            recommended = SweepChoice.Recommend(second, secondVariants.Where(v => v.ConfigKnobs.Count == 0), reference, secondThreshold);
        }

        progress.Write($"recommended: {recommended?.Name ?? "none (nothing saved CPU beyond noise)"}");
        return new SweepResult(
            first, firstVariants, firstRanking, firstThreshold, second, secondVariants, secondRanking, secondThreshold, recommended);
    }

    private async Task<PhaseCells> RunProxiesAsync(PhaseRunner run, TuningVariant? recommended, CancellationToken cancellationToken)
    {
        var targets = new List<TargetSpec>
        {
            run.Direct(),
            run.Gateway(GatewayBenchResult.Gateway, TuningVariant.Default),
            run.Gateway(GatewayBenchResult.GatewayOneThread, TuningVariant.Default, "--io-threads", "1"),
            run.Gateway(GatewayBenchResult.GatewayYarpPath, TuningVariant.Default, "--io-threads", "1", "--forwarder", "yarp"),
        };
        if (recommended is not null)
        {
            targets.Add(run.Gateway(TunedName(recommended), recommended));
        }

        targets.Add(run.Yarp());
        targets.Add(run.Nginx());
        targets.Add(run.Go());
        progress.Write($"proxy comparison: {string.Join(", ", targets.Select(t => t.Name))}, {options.Rounds} rounds");
        return await run.RoundsAsync("proxies", targets, options.Rounds, cancellationToken);
    }

    private static string TunedName(TuningVariant variant) => $"gateway, {variant.Name}";
}
