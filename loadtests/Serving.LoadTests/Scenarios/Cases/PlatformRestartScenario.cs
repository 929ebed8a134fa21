using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>
/// The platform stopped (SIGTERM) and killed (SIGKILL) in the middle of a canary, under load: no runtime is left
/// behind either way, and each restart resumes the same revisions and traffic from the state folder.
/// </summary>
internal sealed class PlatformRestartScenario : IScenario
{
    private const double Rate = 50;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    public string Name => "platform-restart";

    public string Title => "serving-local stopped and killed mid-canary under load: no orphaned runtime, resumed from its state folder";

    public string Duration => "about 2 min";

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        string model = run.Folders.AddModel("iris", run.Build.IrisModel);
        var v1 = new Manifest("iris-canary", model) { MinReplicas = 1, MaxReplicas = 2, Args = ["--model_version=1"] };
        run.Setup = $"iris-canary (serverless, minReplicas 1) rolled to version 2 with `canaryTrafficPercent: 30`, under an open loop of {Rate:0} V2 requests/s. "
            + "Then `serving-local` gets SIGTERM (it drains and stops its runtimes), is started again on the same manifest and state folders and ports; later it gets "
            + "SIGKILL (its runtimes notice their parent is gone and stop themselves: `SERVING_PARENT_PID`), and is started again. After each stop the scenario "
            + "counts the runtime processes left under its folder; after each start it compares the status with the one before the stop. Requests sent while "
            + "the platform is down are refused (nothing listens): they are counted, apart.";
        var platform = await run.StartLocalServingAsync(v1, 1, cancellationToken); // serving-local only: the scenario refuses --kubernetes
        (v1 with { Args = ["--model_version=2"], CanaryTrafficPercent = 30 }).WriteTo(run.Folders.Manifests);
        await run.WaitUntilAsync(async () => await platform.Admin.StatusAsync(v1.Name, cancellationToken) is { Ready: true } s && s.Traffic.Count == 2 && s.Traffic.Values.Contains(30),
            TimeSpan.FromSeconds(60), "the canary at 30 %", cancellationToken);
        run.Mark("canary at 30 % on revision 00002", "canary");

        await using var load = BackgroundLoad.Start(run.Client, [InferenceRequests.V2(platform.Gateway, v1, InferenceRequests.ModelVersion)], _ => Rate, cancellationToken);
        await Task.Delay(Settle, cancellationToken);
        var down = new List<(double From, double To)>();
        foreach (string signal in new[] { "TERM", "KILL" })
        {
            var before = await platform.Admin.StatusAsync(v1.Name, cancellationToken);
            int runtimes = RuntimeProcesses.Under(run.Folders.Root).Count;
            double stopped = run.Now;
            await platform.SignalAsync(signal);
            run.Mark($"SIG{signal} to serving-local ({runtimes} runtime processes)", $"SIG{signal}");
            if (!await platform.WaitForExitAsync(TimeSpan.FromSeconds(60)))
            {
                throw new Cli.BenchmarkException($"{Name}: serving-local still runs 60 s after SIG{signal}");
            }

            run.Mark("serving-local exited");
            double exited = run.Now;
            double orphansGoneAfter = await run.WaitUntilAsync(() => Task.FromResult(RuntimeProcesses.Under(run.Folders.Root).Count == 0),
                TimeSpan.FromSeconds(10), $"every runtime gone after SIG{signal}", cancellationToken).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : double.NaN, TaskScheduler.Default);
            int left = RuntimeProcesses.Under(run.Folders.Root).Count;
            run.Target($"SIG{signal}: no runtime orphaned",
                left == 0 ? $"0 left; the last runtime exited {orphansGoneAfter * 1000:0} ms after serving-local" : $"{left} still running 10 s after serving-local exited", left == 0);

            platform = await platform.RestartAsync(run.Build, [], cancellationToken);
            run.Adopt(platform);
            run.Mark("serving-local started again", "restart");
            await run.WaitUntilAsync(async () => await platform.Admin.StatusAsync(v1.Name, cancellationToken) is { Ready: true } s && s.Traffic.Count == 2
                && (await platform.Admin.RoutesAsync(cancellationToken))?.ReadyOf(v1.Name) >= 2, TimeSpan.FromSeconds(90), "the canary serving again", cancellationToken);
            var after = await platform.Admin.StatusAsync(v1.Name, cancellationToken);
            double back = run.Now;
            down.Add((stopped, back));
            run.Mark($"serving again: {after?.Describe()}");
            bool same = before is not null && after is not null && before.Traffic.OrderBy(t => t.Key).SequenceEqual(after.Traffic.OrderBy(t => t.Key))
                && before.LatestCreatedRevision == after.LatestCreatedRevision;
            run.Target($"SIG{signal}: the restart resumes the same revisions and traffic",
                $"before: {before?.Describe()}; after: {after?.Describe()}", same);
            run.Findings.Add($"SIG{signal}: serving-local exited {exited - stopped:0.0} s after the signal; serving again {back - stopped:0.0} s after it.");
            await Task.Delay(Settle, cancellationToken);
        }

        await load.StopAsync();
        var records = run.Log.Snapshot();
        // In flight at the stop, or sent before the platform served again.
        bool InDown(RequestRecord r) => down.Any(d => r.EndUs >= d.From * 1e6 && r.StartUs < d.To * 1e6);
        var outside = ScenarioStats.Summarize(records.Where(r => !InDown(r)));
        var inside = ScenarioStats.Summarize(records.Where(InDown));
        foreach (var (from, to) in down)
        {
            run.AddPhase($"platform down ({from:0}–{to:0} s)", from, to, shade: true);
        }

        run.Findings.Add($"while the platform was down: {inside.Sent:#,0} requests sent, {inside.Ok:#,0} answered (the rest: {inside.Errors}).");
        run.Target("lost: 0 outside the platform's down time", $"lost {outside.Lost} of {outside.Sent:#,0}; other answers: {outside.Errors}", outside.Lost == 0);
        // Down, nothing listens (connection errors); once it listens it routes what its folders hold: never a 404 for them.
        int notFound = records.Count(r => r.Status == 404);
        run.Target("no 404 while it comes back (its services are routed before it listens)", $"{notFound} × 404", notFound == 0);
    }
}
