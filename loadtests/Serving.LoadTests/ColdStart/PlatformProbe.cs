using Serving.Controller.Local;
using Serving.Controller.Local.Diagnostics;
using Serving.Gateway.Routing;
using Serving.LoadTests.Cli;

namespace Serving.LoadTests.ColdStart;

/// <summary>What the benchmark reads of the in-process platform: routes, runtime processes and start timelines.</summary>
internal sealed class PlatformProbe(LocalPlatform platform, ServiceCatalog catalog, string root)
{
    /// <summary>Waits until <paramref name="service"/> has no routed replica and none of its runtime processes is left.</summary>
    public async Task WaitForZeroAsync(string service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (ReplicaAddress(service) is not null || RuntimeProcesses(service) > 0 || !HasStarted(service))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new BenchmarkException($"{service} did not reach zero within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The newest start of <paramref name="service"/> activated at or after <paramref name="since"/>.</summary>
    public StartTimeline? TimelineAfter(string service, long since) =>
        platform.Starts.LastOrDefault(t => IsOf(t, service) && t.At(StartStep.Activated) >= since);

    /// <summary>A ready replica of <paramref name="service"/> in the gateway's routing, or null.</summary>
    public string? ReplicaAddress(string service) =>
        catalog.Revisions.Where(r => r.Key.Service == service).SelectMany(r => r.Replicas).FirstOrDefault(r => r.Ready)?.Address;

    /// <summary>The revision's first (initial-scale) replica has been routed, so the service was Ready once.</summary>
    private bool HasStarted(string service) => platform.Starts.Any(t => IsOf(t, service) && t.Has(StartStep.Routed));

    private static bool IsOf(StartTimeline timeline, string service) =>
        timeline.Replica.StartsWith(service + "-predictor-", StringComparison.Ordinal);

    /// <summary>Runtime processes started by this platform (their command line names its folder) for <paramref name="service"/>.</summary>
    private int RuntimeProcesses(string service) =>
        Directory.EnumerateDirectories("/proc").Count(dir =>
        {
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                return cmdline.Contains(root, StringComparison.Ordinal) && cmdline.Contains($"--model_name={service} ", StringComparison.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        });
}
