using Serving.LoadTests.Observation;
using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>A fixed rate at one service for a while: latency, and the platform's CPU per request.</summary>
internal sealed class SteadyScenario : IScenario
{
    private const double Rate = 200;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(60);

    public string Name => "steady";

    public string Title => $"{Rate:0} requests/s at iris for {Measured.TotalSeconds:0} s: latency and CPU";

    public string Duration => "about 1.5 min";

    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        bool cluster = run.Options.Kubernetes;
        var iris = new Manifest("iris", run.Folders.AddModel("iris", run.Build.IrisModel)) { MinReplicas = 1, MaxReplicas = 3 };
        run.Setup = $"One InferenceService, iris (serverless, minReplicas 1, maxReplicas 3, the KPA's defaults), V2 JSON, one row per request, "
            + $"an open loop of {Rate:0} requests/s: {Warmup.TotalSeconds:0} s of warm-up, then {Measured.TotalSeconds:0} s measured. "
            + (cluster
                ? "CPU is scripts/run-kubernetes.sh's process tree, from /proc: serving-gateway, serving-controller, serving-scaler, the KEDA stand-in, "
                    + "the node agent and the runtime pod's process; etcd, kube-apiserver, kube-controller-manager, kube-scheduler and Redis run detached and are not counted."
                : "CPU is the platform process (gateway, controller) and its runtime processes, from /proc.");
        var platform = await run.StartServingAsync(iris, 1, cancellationToken);

        double start = run.Now;
        await using var load = BackgroundLoad.Start(run.Client, [InferenceRequests.V2(platform.Gateway, iris)], _ => Rate, cancellationToken);
        await Task.Delay(Warmup, cancellationToken);
        double measured = run.Now;
        long cpuBefore = CpuCounters.ProcessTree(platform.ProcessId).Sum(CpuCounters.ProcessTicks);
        run.Mark("measuring", "measured");
        await Task.Delay(Measured, cancellationToken);
        long cpuAfter = CpuCounters.ProcessTree(platform.ProcessId).Sum(CpuCounters.ProcessTicks);
        double end = run.Now;
        await load.StopAsync();
        run.AddPhase("warm-up", start, measured);
        run.AddPhase("measured", measured, end);

        var records = run.Log.Snapshot();
        var all = ScenarioStats.Summarize(records);
        var steady = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, measured, end));
        double cpuSeconds = (cpuAfter - cpuBefore) / CpuCounters.TicksPerSecond;
        double rate = steady.Ok / (end - measured);
        run.Findings.Add($"measured: {rate:0} answers/s, p50 {ScenarioStats.Ms(steady.P50Ms)} ms, p99 {ScenarioStats.Ms(steady.P99Ms)} ms, max {ScenarioStats.Ms(steady.MaxMs)} ms.");
        string counted = cluster ? "gateway, controller, scaler, KEDA stand-in, node agent, runtime pod; not etcd, kube-apiserver, kube-controller-manager, kube-scheduler, Redis" : "gateway + controller + runtimes";
        run.Findings.Add($"platform CPU: {cpuSeconds / (end - measured):0.00} cores, {cpuSeconds * 1e6 / Math.Max(1, steady.Ok):0} µs per request ({counted}; the client's own CPU not included).");
        run.Target("lost: 0", $"lost {all.Lost} of {all.Sent}", all.Lost == 0);
        run.Target($"the offered rate is served ({Rate:0}/s ± 5 %)", $"{rate:0}/s", Math.Abs(rate - Rate) <= Rate * 0.05);
    }
}
