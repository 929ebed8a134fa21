using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>1,000 requests at once at a service scaled to zero: none lost, time to the first and the last answer.</summary>
internal sealed class BurstScenario : IScenario
{
    private const int Requests = 1000;

    public string Name => "burst";

    public string Title => $"{Requests:#,0} concurrent requests at a service scaled to zero";

    public string Duration => "about 1 min";

    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var iris = new Manifest("iris", run.Folders.AddModel("iris", run.Build.IrisModel))
        {
            MinReplicas = 0,
            MaxReplicas = 3,
            Annotations = new Dictionary<string, string> { ["autoscaling.knative.dev/window"] = "6s" },
        };
        bool cluster = run.Options.Kubernetes;
        run.Setup = cluster
            ? "One InferenceService, iris (serverless, minReplicas 0, maxReplicas 3, a 6 s stable window), applied with kubectl: a Deployment "
                + "and a KEDA ScaledObject per revision; it is Ready at zero (the Deployment starts with none), so one request wakes it first, as the "
                + "one-machine platform's first replica does. KEDA takes it to zero after its cooldownPeriod (30 s: the controller derives it from the "
                + "scale-to-zero grace, which no per-service annotation lowers). Once no replica is routed and no runtime pod process is left under "
                + $"the cluster's folder, {Requests:#,0} V2 requests are sent at the same moment, each on its own connection; the gateway holds them "
                + "while the scaler pushes activity to KEDA, KEDA scales the Deployment, the scheduler binds the pod, the node agent starts the "
                + "runtime and the gateway sees its endpoint; then it releases them as replicas become ready. No trace: the cluster's gateway and "
                + "pods export no spans to a file (serving-local's `--trace-to`)."
            : "One InferenceService, iris (serverless, minReplicas 0, maxReplicas 3, a 6 s stable window and a 1 s scale-to-zero grace so "
                + $"that it reaches zero quickly). Once it has no replica and no runtime process, {Requests:#,0} V2 requests are sent at the same moment, each on "
                + "its own connection; the gateway holds them (its per-revision queue takes 1,000) while the first replica starts, then releases them "
                + "as replicas become ready. The first request carries a sampled W3C traceparent; the platform writes its spans and the runtimes' to a file.";
        var platform = await run.StartServingAsync(iris, cluster ? 0 : 1, cancellationToken, "--scale-to-zero-grace", "1", "--trace-to", BurstTrace.FileOf(run));
        var target = InferenceRequests.V2(platform.Gateway, iris);
        if (cluster)
        {
            double sent = run.Now;
            short status = await run.Client.SendAsync(target, cancellationToken);
            run.Mark($"one request answered {status} after {(run.Now - sent) * 1000:0} ms: a replica started from zero, then left idle", "wake");
        }

        await run.WaitUntilAsync(
            async () => (await platform.Admin.RoutesAsync(cancellationToken))?.ReadyOf(iris.Name) == 0 && RuntimeProcesses.Under(run.Folders.Root).Count == 0,
            TimeSpan.FromSeconds(cluster ? 180 : 90), "iris scaled to zero", cancellationToken);
        run.Mark("iris at zero: no replica routed, no runtime process", "zero");
        await Task.Delay(1000, cancellationToken);

        var (traceparent, traceId) = LoadClient.NewTraceparent(sampled: true);
        string unsampled = LoadClient.NewTraceparent(sampled: false).Header;
        double burst = run.Now;
        run.Mark($"{Requests:#,0} requests sent", "burst");
        var sends = Enumerable.Range(0, Requests)
            .Select(i => run.Client.SendAsync(target, cancellationToken, i == 0 ? traceparent : unsampled)).ToArray();
        await Task.WhenAll(sends);
        double done = run.Now;
        run.AddPhase("burst", burst, done + 0.001);
        await Task.Delay(3000, cancellationToken); // the plot shows the replicas after the burst too
        run.PlotWindow = (Math.Max(0, burst - 2), run.Now);
        run.BucketSeconds = 0.1;

        var records = ScenarioStats.SentBetween(run.Log.Snapshot(), burst, done + 0.001).ToList();
        var summary = ScenarioStats.Summarize(records);
        var answered = records.Where(r => r.IsSuccess).Select(r => r.EndUs / 1e6 - burst).Order().ToList();
        double first = answered.Count > 0 ? answered[0] : double.NaN;
        double last = answered.Count > 0 ? answered[^1] : double.NaN;
        var starts = run.Sampler.Samples.Where(s => s.T >= burst).ToList();
        double firstReady = starts.FirstOrDefault(s => s.Ready.Values.Sum() > 0)?.T - burst ?? double.NaN;
        int peak = starts.Count == 0 ? 0 : starts.Max(s => s.Ready.Values.Sum());
        run.Findings.Add($"time to first answer: **{first * 1000:0} ms**; to last answer: **{last * 1000:0} ms** (from the moment the {Requests:#,0} requests were sent).");
        run.Findings.Add($"first replica in routing {firstReady * 1000:0} ms after the burst (sampled every {PlatformSampler.Interval.TotalMilliseconds:0} ms); at most {peak} replica(s) ready during it; p50 {ScenarioStats.Ms(summary.P50Ms)} ms, p99 {ScenarioStats.Ms(summary.P99Ms)} ms.");
        run.Target($"lost: 0 of {Requests:#,0}", $"lost {summary.Lost}: {summary.Ok:#,0} answered 2xx; other answers: {summary.Errors}", summary.Lost == 0 && summary.Sent == Requests);
        run.Target("every request answered (time to last answer reported)", double.IsFinite(last) ? $"last answer at {last * 1000:0} ms" : "none answered", answered.Count == Requests);
        var firstRequest = ScenarioStats.SentBetween(run.Log.Snapshot(), burst, done + 0.001).OrderBy(r => r.StartUs).First();
        if (!cluster)
        {
            await BurstTrace.AddSectionAsync(run, traceId, firstRequest.LatencyUs / 1000.0);
        }
    }
}
