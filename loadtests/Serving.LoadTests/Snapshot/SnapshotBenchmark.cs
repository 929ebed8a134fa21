using System.Diagnostics;
using Serving.Gateway.Activation;
using Serving.Gateway.Observability;
using Serving.Gateway.Routing;
using Serving.LoadTests.Gateway;
using Serving.LoadTests.Observation;

namespace Serving.LoadTests.Snapshot;

/// <summary>
/// The gateway's routing snapshot in this process: <see cref="ServiceCatalog.Replace"/> of every service (a full
/// resync), <see cref="ServiceCatalog.Set"/> of one with the rest present (one controller event), and
/// <see cref="RoutingTable.TryGetHost"/> through <see cref="ServiceCatalog.Current"/> as a request does it.
/// </summary>
internal static class SnapshotBenchmark
{
    private const int Replaces = 21;
    private const int Sets = 51;
    private const int Repetitions = 7;
    private const int Lookups = 4_000_000;
    private const int HostRing = 1 << 14;

    public static SnapshotResult Run(int services, CancellationToken cancellationToken)
    {
        var (busyBefore, _, _) = CpuCounters.MachineTicks();
        long selfBefore = CpuCounters.ProcessTicks(Environment.ProcessId);
        long clock = Stopwatch.GetTimestamp();

        var catalog = new ServiceCatalog(
            ServiceFleet.Domain, new ActivatorOptions(), new NoActivationSignal(), TimeProvider.System, new GatewayMetrics());
        var fleet = ServiceFleet.Create(services);

        // The first Replace also creates every revision's state (replicas, counters, metrics children).
        double first = Time(() => catalog.Replace(fleet)).Ms;
        var replace = Enumerable.Range(0, Replaces).Select(_ => Time(() => catalog.Replace(fleet))).ToList();
        cancellationToken.ThrowIfCancellationRequested();

        // One service's canary moves back and forth: every Set changes something, as a controller event would.
        int changed = services / 2;
        var sets = Enumerable.Range(0, Sets)
            .Select(i => Time(() => catalog.Set(ServiceFleet.Service(changed, i % 2 == 0 ? 20 : 10))))
            .ToList();
        cancellationToken.ThrowIfCancellationRequested();

        string[] hosts = ServiceFleet.LookupHosts(services, HostRing, seed: 42);
        int hits = 0;
        long lookupAllocated = 0;
        var lookups = new List<double>();
        for (int repetition = 0; repetition <= Repetitions; repetition++)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            hits = 0;
            for (int i = 0; i < Lookups; i++)
            {
                if (catalog.Current.TryGetHost(hosts[i & (HostRing - 1)], out _))
                {
                    hits++;
                }
            }

            // Repetition 0 warms up (tiered JIT) and is not counted.
            if (repetition > 0)
            {
                lookups.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / Lookups);
                lookupAllocated = Math.Max(lookupAllocated, GC.GetAllocatedBytesForCurrentThread() - allocated);
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        double seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
        var (busyAfter, _, _) = CpuCounters.MachineTicks();
        long selfAfter = CpuCounters.ProcessTicks(Environment.ProcessId);
        double others = Math.Max(0, ((busyAfter - busyBefore) - (selfAfter - selfBefore)) / CpuCounters.TicksPerSecond / seconds);

        var table = catalog.Current;
        return new SnapshotResult(
            services,
            catalog.Revisions.Count,
            table.HostCount,
            first,
            Spread.Of(replace.Select(r => r.Ms)),
            replace.Select(r => (double)r.Bytes).Order().ElementAt(replace.Count / 2),
            Spread.Of(sets.Select(s => s.Ms)),
            sets.Select(s => (double)s.Bytes).Order().ElementAt(sets.Count / 2),
            Spread.Of(lookups),
            lookupAllocated,
            (double)hits / Lookups,
            Lookups,
            others);
    }

    private static (double Ms, long Bytes) Time(Action action)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        action();
        return (Stopwatch.GetElapsedTime(start).TotalMilliseconds, GC.GetAllocatedBytesForCurrentThread() - allocated);
    }
}
