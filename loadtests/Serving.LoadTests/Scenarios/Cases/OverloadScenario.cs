using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>
/// Ten times what a service can serve: the excess is refused at once (503 with Retry-After) once the activator's
/// bounded queue is full, memory stays bounded, and the service recovers when the load goes back down.
/// </summary>
internal sealed class OverloadScenario : IScenario
{
    private const int QueueLimit = 1000;
    private const double RssAllowanceMiB = 256;
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Overload = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(40);

    public string Name => "overload";

    public string Title => "10× capacity: 503 with Retry-After for the excess, bounded memory, recovery";

    public string Duration => "about 2 min";

    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var busy = BusyModel.Install(run.Folders) with
        {
            Mode = "RawDeployment",
            MinReplicas = 1,
            MaxReplicas = 1,
            ContainerConcurrency = 2,
        };
        var platform = await run.StartServingAsync(busy, 1, cancellationToken);
        var target = InferenceRequests.V2(platform.Gateway, busy, InferenceRequests.RetryAfter);
        double calibrating = run.Now;
        await ClosedLoop.RunAsync(run.Client, target, 4, TimeSpan.FromSeconds(3), cancellationToken); // warm-up: JIT, ONNX Runtime's first runs
        double capacity = await ClosedLoop.RunAsync(run.Client, target, 4, TimeSpan.FromSeconds(5), cancellationToken);
        run.AddPhase("calibration (4 clients back to back, 3 s warm-up + 5 s)", calibrating, run.Now);
        string rssOf = run.Options.Kubernetes ? "serving-gateway's process" : "the platform process (gateway and controller)";
        double normal = capacity / 2;
        double overload = capacity * 10;
        run.Setup = $"busy, a CPU-bound model ({BusyModel.Layers} dense layers of {BusyModel.Width}², one thread per request, batching off), RawDeployment with exactly one "
            + $"replica and `containerConcurrency: 2`, so capacity is one replica's: four clients back to back got {capacity:0} answers/s (the calibration). "
            + $"Open loop: {normal:0} requests/s (half of capacity) for {Before.TotalSeconds:0} s, {overload:0} requests/s (10×) for {Overload.TotalSeconds:0} s, "
            + $"then {normal:0} requests/s for {Recovery.TotalSeconds:0} s. The gateway holds up to {QueueLimit:#,0} requests for the revision (its default `--queue-limit`) "
            + $"and answers the rest 503 with `Retry-After: 1`; memory is the RSS of {rssOf}, sampled every 250 ms.";
        var rss = run.AddSeries("memory", run.Options.Kubernetes ? "gateway RSS" : "platform RSS", "MiB");
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                rss.Add(run.Now, RuntimeProcesses.RssMiB(platform.GatewayProcessId));
                await Task.Delay(250, CancellationToken.None);
            }
        }, CancellationToken.None);
        await Task.Delay(2000, cancellationToken);

        double start = run.Now;
        double overloadAt = start + Before.TotalSeconds;
        double recoverAt = overloadAt + Overload.TotalSeconds;
        double rssBefore;
        await using (var load = BackgroundLoad.Start(run.Client, [target], t => t < Before.TotalSeconds || t >= (Before + Overload).TotalSeconds ? normal : overload, cancellationToken, maxInFlight: 3000))
        {
            await Task.Delay(Before, cancellationToken);
            rssBefore = rss.Points.Where(p => p.T >= start).Select(p => p.V).DefaultIfEmpty(RuntimeProcesses.RssMiB(platform.GatewayProcessId)).Max();
            run.Mark($"overload: {overload:0} requests/s", "10×");
            await Task.Delay(Overload, cancellationToken);
            run.Mark($"back to {normal:0} requests/s", "½×");
            await Task.Delay(Recovery, cancellationToken);
            await load.StopAsync();
        }

        double end = run.Now;
        await sampling.CancelAsync();
        await sampler;
        run.AddPhase("before (½ capacity)", start, overloadAt);
        run.AddPhase("overload (10× capacity)", overloadAt, recoverAt, shade: true);
        run.AddPhase("recovery, first 20 s", recoverAt, recoverAt + 20);
        run.AddPhase("recovery, after 20 s", recoverAt + 20, end);
        double bound = rssBefore + RssAllowanceMiB;
        run.Lines.Add(new PlotLine("memory", bound, $"bound: before + {RssAllowanceMiB:0} MiB"));

        var records = run.Log.Snapshot();
        var during = ScenarioStats.SentBetween(records, overloadAt, recoverAt).ToList();
        var duringSummary = ScenarioStats.Summarize(during);
        int shed = during.Count(r => r.Status == 503);
        int shedWithRetryAfter = during.Count(r => r.Status == 503 && r.Tag == 1);
        var unexpected = records.Where(r => !r.IsSuccess && r.Status != 503).ToList();
        double served = records.Count(r => r.IsSuccess && r.EndUs >= overloadAt * 1e6 && r.EndUs < recoverAt * 1e6) / Overload.TotalSeconds;
        double rssMax = rss.Points.Where(p => p.T >= overloadAt && p.T <= end).Select(p => p.V).DefaultIfEmpty(double.NaN).Max();
        var late = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, recoverAt + 20, end));
        var early = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, start, overloadAt));
        var all = ScenarioStats.Summarize(records);
        run.Findings.Add($"during the overload {duringSummary.Sent:#,0} requests were sent: {duringSummary.Ok:#,0} served ({served:0}/s, capacity {capacity:0}/s), {shed:#,0} refused 503 at once; "
            + $"lost {all.Lost:#,0} over the whole run (the refused excess: the overload asks for it).");
        run.Findings.Add($"served p99 before {ScenarioStats.Ms(early.P99Ms)} ms, during the overload {ScenarioStats.Ms(duringSummary.P99Ms)} ms (a full queue of {QueueLimit:#,0} ahead), 20 s after it {ScenarioStats.Ms(late.P99Ms)} ms.");
        run.Findings.Add($"RSS of {rssOf}: {rssBefore:0} MiB before, at most {rssMax:0} MiB during and after the overload.");
        run.Target("the excess is refused with 503 and Retry-After", $"{shedWithRetryAfter:#,0} of {shed:#,0} 503s carry Retry-After", shed > 0 && shedWithRetryAfter == shed);
        run.Target("no other failure (no 502/504, no timeout, no connection error)", unexpected.Count == 0 ? "none" : ScenarioStats.Summarize(unexpected).Errors, unexpected.Count == 0);
        run.Target("capacity still served during the overload (≥ 80 %)", $"{served:0}/s of {capacity:0}/s", served >= capacity * 0.8);
        run.Target($"bounded memory: RSS ≤ before + {RssAllowanceMiB:0} MiB", $"max {rssMax:0} MiB, bound {bound:0} MiB", rssMax <= bound);
        run.Target("recovery: 20 s after the overload, nothing lost and p99 within 2× before (+5 ms)",
            $"lost {late.Lost}, p99 {ScenarioStats.Ms(late.P99Ms)} ms vs {ScenarioStats.Ms(early.P99Ms)} ms", late.Lost == 0 && late.P99Ms <= (2 * early.P99Ms) + 5);
    }
}
