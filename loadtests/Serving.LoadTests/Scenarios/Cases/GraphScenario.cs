using System.Text;
using Serving.LoadTests.Observation;
using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>The sample InferenceGraph (samples/kserve/graph.yaml) under load, from zero: nothing lost, the Splitter's 80/20.</summary>
internal sealed class GraphScenario : IScenario
{
    private const double Rate = 50;
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(60);
    private static readonly string[] Steps = ["iris-mm-to-cm", "iris-a", "iris-b"];

    public string Name => "graph";

    public string Title => $"the sample InferenceGraph under {Rate:0} requests/s, starting from zero";

    public string Duration => "about 1.5 min";

    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        bool cluster = run.Options.Kubernetes;
        run.Folders.AddModel("iris", run.Build.IrisModel);
        run.Folders.AddModel("iris-mm-to-cm", Path.Combine(run.Build.Root, "samples/models/iris-mm-to-cm"));
        // The samples' storageUri paths are relative to the repository root; the scenario's copies sit under its own folder
        // (serving-local resolves against that folder, pods need them absolute).
        string models = cluster ? $"file://{run.Folders.Models}/" : "file://models/";
        foreach (string file in new[] { "graph.yaml", "graph-services.yaml" })
        {
            string yaml = File.ReadAllText(Path.Combine(run.Build.Samples, file)).Replace("file://samples/models/", models, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(run.Folders.Manifests, file), yaml);
        }

        run.Setup = $"samples/kserve/graph.yaml and graph-services.yaml as shipped (storage paths moved to the scenario's folder): a Sequence of iris-mm-to-cm "
            + $"(a scaler model), then a Splitter 80/20 over iris-a and iris-b, all serverless at minReplicas 0 (on the cluster: applied by scripts/run-kubernetes.sh, each step a Deployment at zero with a KEDA ScaledObject, Ready at zero). An open loop of {Rate:0} V1 requests/s "
            + $"(`{{\"instances\":[[68,28,48,14]]}}`, Host iris-graph.default.example.com) for {LoadTime.TotalSeconds:0} s, starting while every step is at zero: the first "
            + "requests wait in the gateway's activator for each step's cold start. The split is read from the gateway's `gateway_requests_total` by isvc.";
        var platform = await run.StartManifestsAsync(cancellationToken);
        await run.WaitUntilAsync(
            () => cluster ? ClusterAtZeroAsync(run, platform, cancellationToken) : LocalAtZeroAsync(platform, cancellationToken),
            TimeSpan.FromSeconds(cluster ? 180 : 120), "every graph step Ready and back at zero", cancellationToken);
        run.Mark("every step Ready, at zero", "zero");
        var before = PrometheusText.Parse(await platform.Admin.MetricsAsync(cancellationToken) ?? "");

        var body = Encoding.UTF8.GetBytes("""{"instances":[[68,28,48,14]]}""");
        var target = new LoadTarget(new Uri(platform.Gateway, "/"), "iris-graph.default.example.com", body);
        double start = run.Now;
        await using (var load = BackgroundLoad.Start(run.Client, [target], _ => Rate, cancellationToken))
        {
            run.Mark("load starts", "load");
            await Task.Delay(LoadTime, cancellationToken);
            await load.StopAsync();
        }

        double end = run.Now;
        run.PlotWindow = (Math.Max(0, start - 5), end + 1); // not the minute spent waiting for every step to reach zero
        run.AddPhase("first 5 s (cold starts)", start, start + 5);
        run.AddPhase("after 5 s", start + 5, end);
        var after = PrometheusText.Parse(await platform.Admin.MetricsAsync(cancellationToken) ?? "");
        double Served(string isvc) => after.Sum("gateway_requests_total", $"isvc=\"{isvc}\"") - before.Sum("gateway_requests_total", $"isvc=\"{isvc}\"");
        double a = Served("iris-a");
        double b = Served("iris-b");
        double share = 100 * a / Math.Max(1, a + b);
        double tolerance = Math.Max(2, 400 * Math.Sqrt(0.8 * 0.2 / Math.Max(1, a + b)));
        var all = ScenarioStats.Summarize(run.Log.Snapshot());
        var warm = ScenarioStats.Summarize(ScenarioStats.SentBetween(run.Log.Snapshot(), start + 5, end));
        run.Findings.Add($"{all.Sent:#,0} graph requests: p50 {ScenarioStats.Ms(all.P50Ms)} ms, p99 {ScenarioStats.Ms(all.P99Ms)} ms, max {ScenarioStats.Ms(all.MaxMs)} ms (cold starts of the steps included); after the first 5 s p99 {ScenarioStats.Ms(warm.P99Ms)} ms.");
        run.Findings.Add($"Splitter: iris-a {a:0}, iris-b {b:0} step calls ({share:0.0} % / {100 - share:0.0} %); iris-mm-to-cm {Served("iris-mm-to-cm"):0}.");
        run.Target("lost: 0", $"lost {all.Lost} of {all.Sent:#,0}; other answers: {all.Errors}", all.Lost == 0);
        run.Target("Splitter 80/20 (± 4 σ of a fair draw)", $"{share:0.0} % to iris-a, ± {tolerance:0.0}", Math.Abs(share - 80) <= tolerance);
    }

    private static async Task<bool> LocalAtZeroAsync(IServingPlatform platform, CancellationToken cancellationToken)
    {
        var routes = await platform.Admin.RoutesAsync(cancellationToken);
        return routes is not null && routes.Revisions.Count >= 3 && routes.Revisions.Values.All(r => r.Ready == 0)
            && await platform.StatusAsync("iris-a", cancellationToken) is { Ready: true };
    }

    /// <summary>On the cluster a step at zero may be missing from <c>/routes</c> (no endpoints yet): each step is Ready (kubectl) with no replica routed and no runtime pod process.</summary>
    private static async Task<bool> ClusterAtZeroAsync(ScenarioRun run, IServingPlatform platform, CancellationToken cancellationToken)
    {
        if (await platform.Admin.RoutesAsync(cancellationToken) is not { } routes || Steps.Any(s => routes.ReadyOf(s) > 0)
            || RuntimeProcesses.Under(run.Folders.Root).Count > 0)
        {
            return false;
        }

        foreach (string step in Steps)
        {
            if (await platform.StatusAsync(step, cancellationToken) is not { Ready: true })
            {
                return false;
            }
        }

        return true;
    }
}
