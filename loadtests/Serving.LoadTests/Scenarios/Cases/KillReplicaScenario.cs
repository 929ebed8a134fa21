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

    /// <summary>On the cluster the victim is a pod's runtime process (the node agent's container), killed as the OOM killer would.</summary>
    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var service = BusyModel.Install(run.Folders) with
        {
            Mode = "RawDeployment",
            MinReplicas = 2,
            MaxReplicas = 2,
        };
        var platform = await run.StartServingAsync(service, 2, cancellationToken);
        double rate = Rate;
        run.Setup = $"busy, a CPU-bound model (so that requests are in flight when the replica dies: {BusyModel.Layers} dense layers of {BusyModel.Width}², one thread each), "
            + $"RawDeployment with exactly 2 replicas, under an open loop of {rate:0} V2 requests/s. After {Before.TotalSeconds:0} s one runtime process is killed with SIGKILL. "
            + "The gateway's routing (`/routes` on the admin port) is read every 5 ms until the replica is gone from it; "
            + (run.Options.Kubernetes
                ? "on the cluster the victim is a pod's container process: the node agent marks the pod not ready, the EndpointSlice controller drops "
                    + "it, the gateway's watch takes it out of routing, and the agent restarts the container as the kubelet does (restartPolicy Always: "
                    + "the first restart at once, then CrashLoopBackOff)."
                : "the platform restarts a crashed replica as the kubelet does (CrashLoopBackOff: 10 s before the first restart).");
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
        // The dead replica's requests: in flight at the kill, or sent to it before it left routing (the gateway could not know).
        long outUs = killUs + (long)((double.IsFinite(outOfRouting) ? outOfRouting : 0) * 1000);
        var inFlightFailed = failed.Where(r => r.StartUs <= killUs && r.EndUs >= killUs).ToList();
        var beforeOutFailed = failed.Where(r => r.StartUs > killUs && r.StartUs <= outUs).ToList();
        var laterFailed = failed.Except(inFlightFailed).Except(beforeOutFailed).ToList();
        var all = ScenarioStats.Summarize(records);
        run.Findings.Add($"{failed.Count} request(s) failed ({ScenarioStats.Summarize(failed).Errors}): {inFlightFailed.Count} in flight at the kill ({inFlightAtKill} were in flight then, on both replicas), "
            + $"{beforeOutFailed.Count} sent after the kill and before the replica left routing, {laterFailed.Count} later. A connection the dead replica refuses is sent to the other replica; "
            + "one it had accepted before it died (or a kept-alive one) fails, as a POST that may have reached a replica is never sent twice.");
        run.Findings.Add($"out of routing after **{outOfRouting:0} ms**; the replacement was ready **{replaced:0.0} s** after the kill.");
        run.Target("only the dead replica's requests fail (in flight at the kill, or routed to it before it left routing)",
            $"{inFlightFailed.Count} in flight + {beforeOutFailed.Count} before it left routing; {laterFailed.Count} after", laterFailed.Count == 0 && inFlightFailed.Count <= inFlightAtKill);
        run.Target("out of routing within 1 s", double.IsFinite(outOfRouting) ? $"{outOfRouting:0} ms" : "still routed after 10 s", outOfRouting <= 1000);
        run.Target("replaced (2 replicas ready again)", $"{replaced:0.0} s after the kill", true);
        run.Findings.Add($"lost {all.Lost} of {all.Sent:#,0} over the run.");
    }
}
