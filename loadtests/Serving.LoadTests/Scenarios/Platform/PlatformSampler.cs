using Serving.LoadTests.Observation;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>The platform every <see cref="Interval"/>: ready replicas per revision, held requests, runtime processes, CPU.</summary>
internal sealed record PlatformSample(double T, IReadOnlyDictionary<string, int> Ready, int Held, int Runtimes, double CpuSeconds, bool Up);

/// <summary>
/// Samples a platform in the background for the plots. The platform may be swapped (a restart drill): the sampler
/// reads whichever <see cref="Current"/> is, and records the platform as down while its admin port does not answer.
/// </summary>
internal sealed class PlatformSampler(Func<double> now, string root) : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly List<PlatformSample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public IServingPlatform? Current { get; set; }

    public IReadOnlyList<PlatformSample> Samples
    {
        get
        {
            lock (_samples)
            {
                return [.. _samples];
            }
        }
    }

    public PlatformSample? Last
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count == 0 ? null : _samples[^1];
            }
        }
    }

    public void Start() => _loop = LoopAsync(_stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var platform = Current;
            if (platform is null)
            {
                continue; // nothing of the one-machine platform in this scenario
            }

            var routes = platform.HasExited ? null : await platform.Admin.RoutesAsync(cancellationToken);
            int pid = platform.ProcessId;
            bool up = routes is not null;
            double cpu = up ? CpuCounters.ProcessTree(pid).Sum(CpuCounters.ProcessTicks) / CpuCounters.TicksPerSecond : double.NaN;
            var sample = new PlatformSample(
                now(),
                routes?.Revisions.ToDictionary(r => r.Key, r => r.Value.Ready, StringComparer.Ordinal) ?? new Dictionary<string, int>(),
                routes?.Held ?? 0,
                RuntimeProcesses.Under(root).Count,
                cpu,
                up);
            lock (_samples)
            {
                _samples.Add(sample);
            }
        }
    }
}
