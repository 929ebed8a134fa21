using System.Diagnostics;
using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>A runtime SIGKILLed under load: only its in-flight requests may fail, it leaves routing within 1 s, it is replaced.</summary>
internal sealed class KillReplicaScenario : IScenario
{
    private const double Rate = 200;
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(15);

    public string Name => "kill-replica";

    public string Title => "a runtime replica SIGKILLed under load";

    public string Duration => "about 1 min";

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var service = BusyModel.Install(run.Folders) with
        {
            Mode = "RawDeployment",
            MinReplicas = 2,
            MaxReplicas = 2,
        };
        service.WriteTo(run.Folders.Manifests);
        var platform = await run.StartPlatformAsync(cancellationToken);
        await run.WaitReadyAsync(service.Name, 2, TimeSpan.FromSeconds(60), cancellationToken);
        run.Mark("busy Ready with 2 replicas", "ready");
        double rate = Rate;
        run.Setup = $"busy, a CPU-bound model (so that requests are in flight when the replica dies: {BusyModel.Layers} dense layers of {BusyModel.Width}², one thread each), "
            + $"RawDeployment with exactly 2 replicas, under an open loop of {rate:0} V2 requests/s. After {Before.TotalSeconds:0} s one runtime process is killed with SIGKILL. "
            + "The gateway's routing (`/routes` on the admin port) is read every 5 ms until the replica is gone from it; the platform restarts a crashed "
            + "replica as the kubelet does (CrashLoopBackOff: 10 s before the first restart).";
        run.Lines.Add(new PlotLine("replicas", 2, "replicas wanted"));
        await using var load = BackgroundLoad.Start(run.Client, [InferenceRequests.V2(platform.Gateway, service)], _ => rate, cancellationToken);
        double start = run.Now;
        await Task.Delay(Before, cancellationToken);

        var routes = await platform.Admin.RoutesAsync(cancellationToken);
        var victim = RuntimeProcesses.Under(run.Folders.Root).FirstOrDefault();
        if (victim.Pid == 0 || routes is null)
        {
            throw new Cli.BenchmarkException($"{Name}: no runtime process found under {run.Folders.Root}");
        }

        var addresses = routes.Revisions.Values.SelectMany(r => r.Addresses).ToHashSet(StringComparer.Ordinal);
        long inFlightAtKill = run.Log.InFlight;
        double killedAt = run.Now;
        Process.GetProcessById(victim.Pid).Kill();
        run.Mark($"SIGKILL runtime pid {victim.Pid}", "SIGKILL");
        var watch = Stopwatch.StartNew();
        string? gone = null;
        while (gone is null && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            var now = await platform.Admin.RoutesAsync(cancellationToken);
            var ready = now?.Revisions.Values.SelectMany(r => r.Addresses).ToHashSet(StringComparer.Ordinal) ?? [];
            gone = addresses.FirstOrDefault(a => !ready.Contains(a));
            if (gone is null)
            {
                await Task.Delay(5, cancellationToken);
            }
        }

        double outOfRouting = gone is null ? double.NaN : watch.Elapsed.TotalMilliseconds;
        run.Mark($"{gone ?? "no replica"} out of routing after {outOfRouting:0} ms", "out");
        await run.WaitReadyAsync(service.Name, 2, TimeSpan.FromSeconds(60), cancellationToken);
        double replaced = run.Now - killedAt;
        run.Mark($"2 replicas ready again, {replaced:0.0} s after the kill", "replaced");
        await Task.Delay(10000, cancellationToken);
        await load.StopAsync();
        double end = run.Now;
        run.AddPhase("before the kill", start, killedAt);
        run.AddPhase("kill → replaced", killedAt, killedAt + replaced);
        run.AddPhase("after", killedAt + replaced, end);

        var records = run.Log.Snapshot();
        var failed = records.Where(r => !r.IsSuccess).ToList();
        long killUs = (long)(killedAt * 1e6);
        var inFlightFailed = failed.Where(r => r.StartUs <= killUs && r.EndUs >= killUs).ToList();
        var laterFailed = failed.Except(inFlightFailed).ToList();
        var all = ScenarioStats.Summarize(records);
        run.Findings.Add($"{failed.Count} request(s) failed ({ScenarioStats.Summarize(failed).Errors}); {inFlightAtKill} requests were in flight (on both replicas) at the kill.");
        run.Findings.Add($"out of routing after **{outOfRouting:0} ms**; the replacement was ready **{replaced:0.0} s** after the kill.");
        run.Target("only requests in flight at the kill fail",
            $"{inFlightFailed.Count} failed that were in flight; {laterFailed.Count} failed that were sent after the kill", laterFailed.Count == 0 && inFlightFailed.Count <= inFlightAtKill);
        run.Target("out of routing within 1 s", double.IsFinite(outOfRouting) ? $"{outOfRouting:0} ms" : "still routed after 10 s", outOfRouting <= 1000);
        run.Target("replaced (2 replicas ready again)", $"{replaced:0.0} s after the kill", true);
        run.Findings.Add($"lost {all.Lost} of {all.Sent:#,0} over the run.");
    }
}
