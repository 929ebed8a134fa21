using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>Load ×1 → ×10 on a CPU-bound service: how fast replicas follow, how much is queued, p99 during the step.</summary>
internal sealed class StepScenario : IScenario
{
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(50);

    public string Name => "step";

    public string Title => "load ×1 → ×10 on a CPU-bound service: replicas' reaction, queueing, p99";

    public string Duration => "about 2 min";

    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var busy = BusyModel.Install(run.Folders) with
        {
            MinReplicas = 1,
            MaxReplicas = 4,
            Annotations = new Dictionary<string, string> { ["autoscaling.knative.dev/target"] = "0.1" },
        };
        var platform = await run.StartServingAsync(busy, 1, cancellationToken);

        // Calibrated on the replica itself, past the gateway: load through the gateway would feed the autoscaler and the
        // service would have scaled up before the step.
        var routes = await platform.Admin.RoutesAsync(cancellationToken);
        string replica = routes?.Revisions.Values.SelectMany(r => r.Addresses).FirstOrDefault()
            ?? throw new Cli.BenchmarkException($"{Name}: no ready replica to calibrate on");
        var direct = new LoadTarget(new Uri(new Uri(replica), "/v2/models/busy/infer"), null, InferenceRequests.V2Body);
        double calibrating = run.Now;
        await ClosedLoop.RunAsync(run.Client, direct, 1, TimeSpan.FromSeconds(2), cancellationToken); // warm-up: JIT, ONNX Runtime's first runs
        double perClient = await ClosedLoop.RunAsync(run.Client, direct, 1, TimeSpan.FromSeconds(4), cancellationToken);
        run.AddPhase("calibration (one client on the replica, 2 s warm-up + 4 s)", calibrating, run.Now);
        // ×10 keeps 0.3 requests in flight on average (a request takes 1/perClient s): three times the target below, so the
        // KPA wants more replicas (and panics: it wants twice what is ready); ×1 keeps 0.03, one replica's worth.
        double high = 0.3 * perClient;
        double low = high / 10;
        run.Setup = $"busy, a CPU-bound model (iris's input, {BusyModel.Layers} dense layers of {BusyModel.Width}², one thread per request, batching off), "
            + "serverless, minReplicas 1, maxReplicas 4, a concurrency target of 0.1 per replica (`autoscaling.knative.dev/target: \"0.1\"`; ×10 keeps 0.3 requests in flight on average, which the KPA sizes at 4 replicas with its 70 % utilisation), the KPA's 60 s "
            + $"stable and 6 s panic windows"
            + (run.Options.Kubernetes
                ? " (on the cluster the KEDA stand-in's HPA reads serving-scaler's metric (GetMetrics) once per sync period, 15 s, and scales the Deployment; "
                    + "a new pod is started by the node agent, and replicas are counted as the gateway's `/routes` lists them ready)"
                : "")
            + $". Calibration: one client back to back on the replica itself got {perClient:0} answers/s (a request takes {1000 / perClient:0.0} ms). Then an open loop of {low:0.0} requests/s (×1) "
            + $"for {Before.TotalSeconds:0} s, and {high:0} requests/s (×10) for {After.TotalSeconds:0} s.";
        var target = InferenceRequests.V2(platform.Gateway, busy);
        await Task.Delay(3000, cancellationToken);

        double start = run.Now;
        double step = start + Before.TotalSeconds;
        await using (var load = BackgroundLoad.Start(run.Client, [target], t => t < Before.TotalSeconds ? low : high, cancellationToken))
        {
            await Task.Delay(Before, cancellationToken);
            run.Mark($"step: {low:0.0} → {high:0} requests/s", "×10");
            await Task.Delay(After, cancellationToken);
            await load.StopAsync();
        }

        double end = run.Now;
        run.AddPhase("×1", start, step);
        run.AddPhase("×10, first 10 s", step, step + 10);
        run.AddPhase("×10, after 10 s", step + 10, end);
        run.Lines.Add(new PlotLine("replicas", busy.MaxReplicas, "maxReplicas"));

        var samples = run.Sampler.Samples;
        int before = samples.LastOrDefault(s => s.T <= step)?.Ready.Values.Sum() ?? 1;
        double? firstUp = samples.FirstOrDefault(s => s.T > step && s.Ready.Values.Sum() > before)?.T;
        int peak = samples.Where(s => s.T > step).Select(s => s.Ready.Values.Sum()).DefaultIfEmpty(0).Max();
        double? atPeak = samples.FirstOrDefault(s => s.T > step && s.Ready.Values.Sum() == peak)?.T;
        int held = samples.Where(s => s.T > step).Select(s => s.Held).DefaultIfEmpty(0).Max();
        var records = run.Log.Snapshot();
        var during = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, step, step + 10));
        var later = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, step + 10, end));
        var baseline = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, start, step));
        run.Findings.Add(firstUp is { } up
            ? $"reaction: {before} replica(s) ready at the step, one more ready **{up - step:0.0} s** after it; {peak} (the most) ready {atPeak - step:0.0} s after it (sampled every {PlatformSampler.Interval.TotalMilliseconds:0} ms)."
            : $"reaction: no replica was added within {After.TotalSeconds:0} s.");
        run.Findings.Add($"p99: ×1 {ScenarioStats.Ms(baseline.P99Ms)} ms; first 10 s of ×10 **{ScenarioStats.Ms(during.P99Ms)} ms**; after that {ScenarioStats.Ms(later.P99Ms)} ms.");
        run.Findings.Add($"queueing: at most {held} request(s) held by the activator at a sample (all replicas at their limit or starting); the gateway holds only when no replica has a free slot (no containerConcurrency here: replicas take everything, queueing is inside them).");
        var all = ScenarioStats.Summarize(records);
        run.Target("lost: 0", $"lost {all.Lost} of {all.Sent:#,0}; other answers: {all.Errors}", all.Lost == 0);
        run.Target("replicas follow the step (a replica added within 10 s: the KPA's panic window is 6 s)",
            firstUp is { } added ? $"{added - step:0.0} s" : "none added", firstUp is { } a && a - step <= 10);
    }
}
