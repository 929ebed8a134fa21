using System.Diagnostics;
using System.Globalization;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Observation;
using Serving.LoadTests.Server;
using Serving.LoadTests.Wrk;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// Measures one target at one concurrency: a wrk warm-up, then a measured window with the CPU of the proxy, the
/// backend, wrk, this process and the machine read from <c>/proc</c> before and after. A window during which other
/// processes used more than <see cref="QuietestAttempt.NoisyCores"/> is measured again (<c>--attempts</c>).
/// </summary>
internal sealed class CellMeasurer(GatewayBenchOptions options, WrkRunner wrk, ServerProcess backend, string bodyPath, Progress progress)
    : IDisposable
{
    public const string ContentType = "application/json";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public WrkRequest Request(Target target) =>
        new(target.Url.ToString(), bodyPath, ContentType, Headers: [$"Host: {TargetLauncher.Host}"]);

    /// <summary>A first load on a freshly started target (JIT tiers, connection pools), longer than a cell's warm-up.</summary>
    public async Task WarmAsync(Target target, CancellationToken cancellationToken)
    {
        var (result, output) = await wrk.RunAsync(options.Concurrency.Max(), options.ProcessWarmupDuration, Request(target), cancellationToken);
        if (result is null || result.HasErrors)
        {
            progress.Write($"  {target.Name}: first warm-up had problems: {result?.ErrorSummary ?? Tail(output)}");
        }
    }

    public async Task<ProxyCell> MeasureAsync(string phase, int round, Target target, int concurrency, CancellationToken cancellationToken)
    {
        var (kept, errors) = await QuietestAttempt.MeasureAsync(
            options.Attempts,
            () => MeasureOnceAsync(phase, round, target, concurrency, cancellationToken),
            c => c.OtherCores,
            c => c.Error,
            (attempt, cell) =>
            {
                if (attempt > 1 || cell.OtherCores > QuietestAttempt.NoisyCores)
                {
                    progress.Write($"    attempt {attempt}: {Describe(cell)}");
                }
            });
        return kept with { Error = errors.Count > 0 ? string.Join("; ", errors) : null };
    }

    public static string Describe(ProxyCell cell) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{cell.Target}, c={cell.Concurrency}: {cell.RequestsPerSecond:0} req/s, proxy {cell.UsPerRequest:0.0} µs/req ({cell.ProxyCores:0.00} cores), " +
            $"p50 {cell.P50:0} µs, p99 {cell.P99:0} µs, backend {cell.BackendUsPerRequest:0.0} µs/req, others {cell.OtherCores:0.00} cores") +
        (cell.Error is { } e ? $" ERROR: {e}" : "");

    public void Dispose() => _http.Dispose();

    private async Task<ProxyCell> MeasureOnceAsync(string phase, int round, Target target, int concurrency, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var request = Request(target);
        if (target.Process is { HasExited: true } exited)
        {
            errors.Add($"{target.Name} is no longer running; see {exited.LogPath}");
        }

        if (options.WarmupDuration > TimeSpan.Zero)
        {
            var (warm, warmOutput) = await wrk.RunAsync(concurrency, options.WarmupDuration, request, cancellationToken);
            if (warm is null)
            {
                errors.Add($"warm-up: wrk failed: {Tail(warmOutput)}");
            }
            else if (warm.HasErrors)
            {
                errors.Add($"warm-up: {warm.ErrorSummary}");
            }
        }

        var countersBefore = target.Metrics is { } m1 ? await GatewayCounters.ScrapeAsync(_http, m1, cancellationToken) : null;
        long proxyBefore = target.CpuTicks();
        long backendBefore = backend.CpuTicks();
        long selfBefore = CpuCounters.ProcessTicks(Environment.ProcessId);
        var (machineBefore, _, interruptsBefore) = CpuCounters.MachineTicks();
        long start = Stopwatch.GetTimestamp();
        var (result, output) = await wrk.RunAsync(concurrency, options.CellDuration, request, cancellationToken);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var (machineAfter, _, interruptsAfter) = CpuCounters.MachineTicks();
        long selfAfter = CpuCounters.ProcessTicks(Environment.ProcessId);
        long backendAfter = backend.CpuTicks();
        long proxyAfter = target.CpuTicks();
        var countersAfter = target.Metrics is { } m2 ? await GatewayCounters.ScrapeAsync(_http, m2, cancellationToken) : null;

        if (result is null)
        {
            errors.Add($"wrk failed: {Tail(output)}");
        }
        else if (result.HasErrors)
        {
            errors.Add(result.ErrorSummary);
        }

        double? canaryShare = null;
        if (target.Metrics is not null)
        {
            if (countersBefore is null || countersAfter is null)
            {
                errors.Add("could not read the gateway's /metrics");
            }
            else
            {
                double ok = countersAfter.Ok - countersBefore.Ok;
                canaryShare = ok > 0 ? (countersAfter.CanaryOk - countersBefore.CanaryOk) / ok : null;
                if (countersAfter.ServerErrors > countersBefore.ServerErrors)
                {
                    errors.Add(string.Create(
                        CultureInfo.InvariantCulture, $"the gateway counted {countersAfter.ServerErrors - countersBefore.ServerErrors:0} 5xx responses"));
                }
            }
        }

        return new ProxyCell(
            phase,
            round,
            target.Name,
            target.Kind,
            concurrency,
            wrk.ThreadsFor(concurrency),
            result,
            seconds,
            Seconds(proxyAfter - proxyBefore),
            Seconds(backendAfter - backendBefore),
            result?.CpuSeconds ?? double.NaN,
            Seconds(selfAfter - selfBefore),
            Seconds(machineAfter - machineBefore),
            Seconds(interruptsAfter - interruptsBefore),
            canaryShare,
            errors.Count > 0 ? string.Join("; ", errors) : null);
    }

    private static double Seconds(long ticks) => ticks / CpuCounters.TicksPerSecond;

    private static string Tail(string output)
    {
        string trimmed = output.Trim().ReplaceLineEndings(" ");
        return trimmed.Length > 300 ? trimmed[^300..] : trimmed;
    }
}
