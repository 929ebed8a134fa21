using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>Serverless → RawDeployment → Serverless under load: each switch is a rollout onto a new revision, nothing lost.</summary>
internal sealed class ModeSwitchScenario : IScenario
{
    private const double Rate = 100;
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(15);

    public string Name => "mode-switch";

    public string Title => "Serverless → RawDeployment → Serverless under load";

    public string Duration => "about 1.5 min";

    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        var serverless = new Manifest("iris-mode", run.Folders.AddModel("iris", run.Build.IrisModel)) { MinReplicas = 1, MaxReplicas = 2 };
        run.Setup = $"iris-mode (minReplicas 1) under an open loop of {Rate:0} V2 requests/s; `serving.kserve.io/deploymentMode` is changed from Serverless to "
            + "RawDeployment, then back (on the cluster: the manifest `kubectl apply`-ed, the status read from the API server; a Serverless revision is a "
            + "Deployment with a KEDA ScaledObject, a RawDeployment one a Deployment with an HPA). Each change makes a revision in the new mode; traffic moves once it is ready and the old one drains "
            + "(KServe ≥ 0.16 refuses the change; the walkthrough expects it to work).";
        var platform = await run.StartServingAsync(serverless, 1, cancellationToken);
        await using var load = BackgroundLoad.Start(run.Client, [InferenceRequests.V2(platform.Gateway, serverless)], _ => Rate, cancellationToken);
        double phase = run.Now;
        await Task.Delay(Hold, cancellationToken);
        run.AddPhase("Serverless (revision 1)", phase, run.Now);
        var switches = new List<string>();
        string[] statusNames = ["RawDeployment", "Serverless"];
        for (int i = 0; i < 2; i++)
        {
            string mode = i == 0 ? "RawDeployment" : "Serverless";
            string revision = $"iris-mode-predictor-0000{i + 2}";
            double written = run.Now;
            await platform.ApplyAsync(serverless with { Mode = mode }, cancellationToken);
            run.Mark($"deploymentMode: {mode} written", i == 0 ? "→ raw" : "→ serverless");
            await run.WaitUntilAsync(
                async () => await platform.StatusAsync(serverless.Name, cancellationToken) is { Ready: true } status
                    && status.Traffic.GetValueOrDefault(revision) == 100,
                TimeSpan.FromSeconds(90), $"all traffic on {revision}", cancellationToken);
            double moved = run.Now;
            var now = await platform.StatusAsync(serverless.Name, cancellationToken);
            run.Mark($"all traffic on {revision} (status deploymentMode {now?.DeploymentMode})");
            switches.Add($"{mode}: traffic on {revision} {moved - written:0.0} s after the manifest changed (status says deploymentMode {now?.DeploymentMode})");
            await Task.Delay(Hold, cancellationToken);
            run.AddPhase($"switch to {statusNames[i]} and after", written, run.Now);
        }

        await load.StopAsync();
        var all = ScenarioStats.Summarize(run.Log.Snapshot());
        run.Findings.AddRange(switches);
        run.Findings.Add($"p99 over the run {ScenarioStats.Ms(all.P99Ms)} ms, max {ScenarioStats.Ms(all.MaxMs)} ms.");
        run.Target("lost: 0 through both switches", $"lost {all.Lost} of {all.Sent:#,0}; other answers: {all.Errors}", all.Lost == 0);
    }
}
