using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Cases;

/// <summary>A canary moved 10 → 50 → 100 → 0 % under load: the split observed per step, nothing lost.</summary>
internal sealed class CanaryScenario : IScenario
{
    private const double Rate = 100;
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(15);
    private static readonly int[] Steps = [10, 50, 100, 0];

    public string Name => "canary";

    public string Title => "a canary moved 10 → 50 → 100 → 0 % under load";

    public string Duration => "about 2 min";

    public bool RunsOnKubernetes => true;

    public async Task RunAsync(ScenarioRun run, CancellationToken cancellationToken)
    {
        string model = run.Folders.AddModel("iris", run.Build.IrisModel);
        var v1 = new Manifest("iris-canary", model) { MinReplicas = 1, MaxReplicas = 2, Args = ["--model_version=1"] };
        run.Setup = $"iris-canary (serverless, minReplicas 1), first as model version 1 (revision 00001). Under an open loop of {Rate:0} V2 requests/s, "
            + "the manifest is rewritten (on the cluster: and `kubectl apply`-ed) with `--model_version=2` and `canaryTrafficPercent: 10` (revision 00002 starts), then 50, then 100 (promotion), "
            + "then 0 (KServe's rollback to the previous rolled-out revision). Each step's share is counted from the `model_version` of the answers to requests "
            + $"sent during the {Hold.TotalSeconds:0} s after the status shows the step's traffic.";
        run.TagNames[1] = "version 1";
        run.TagNames[2] = "version 2";
        var platform = await run.StartServingAsync(v1, 1, cancellationToken);
        var perSecond = run.AddSeries("version 2 share", "answers per second", "% of 2xx");
        var share = run.AddSeries("version 2 share", "each step, observed", "% of 2xx");

        await using var load = BackgroundLoad.Start(run.Client, [InferenceRequests.V2(platform.Gateway, v1, InferenceRequests.ModelVersion)], _ => Rate, cancellationToken);
        await Task.Delay(5000, cancellationToken);
        var table = new List<string>
        {
            "## Observed split per step",
            "",
            "| step | traffic moved after | requests in the step | version 2 observed | expected | lost in the step |",
            "|---|---:|---:|---:|---:|---:|",
        };
        bool splitsMet = true;
        foreach (int percent in Steps)
        {
            var manifest = v1 with { Args = ["--model_version=2"], CanaryTrafficPercent = percent };
            double written = run.Now;
            await platform.ApplyAsync(manifest, cancellationToken);
            run.Mark($"canaryTrafficPercent: {percent} written", $"{percent}%");
            string? expectedV2 = null;
            await run.WaitUntilAsync(
                async () =>
                {
                    var status = await platform.StatusAsync(v1.Name, cancellationToken);
                    if (status?.LatestCreatedRevision is not { } latest || !latest.EndsWith("00002", StringComparison.Ordinal))
                    {
                        return false;
                    }

                    expectedV2 = latest;
                    int observed = status.Traffic.GetValueOrDefault(latest);
                    return status.Ready && observed == percent && status.Traffic.Values.Sum() == 100;
                },
                TimeSpan.FromSeconds(90), $"traffic {percent} % on revision 00002", cancellationToken);
            double moved = run.Now;
            run.Mark($"status shows {percent} % on {expectedV2}");
            await Task.Delay(Hold, cancellationToken);
            double end = run.Now;
            run.AddPhase($"{percent} % to version 2", moved, end);
            var records = ScenarioStats.SentBetween(run.Log.Snapshot(), moved, end).ToList();
            var summary = ScenarioStats.Summarize(records);
            int v2 = records.Count(r => r.IsSuccess && r.Tag == 2);
            double observedShare = summary.Ok == 0 ? double.NaN : 100.0 * v2 / summary.Ok;
            // Four standard deviations of a binomial draw, at least 2 points: a fair split passes, a wrong one does not.
            double tolerance = Math.Max(2, 400 * Math.Sqrt(percent / 100.0 * (1 - (percent / 100.0)) / Math.Max(1, summary.Ok)));
            bool met = Math.Abs(observedShare - percent) <= tolerance;
            splitsMet &= met;
            table.Add($"| {percent} % | {moved - written:0.0} s | {summary.Sent:#,0} | {observedShare:0.0} % | {percent} % ± {tolerance:0.0} | {summary.Lost} |");
            share.Add((moved + end) / 2, observedShare);
        }

        await load.StopAsync();
        foreach (var second in PerSecondShare(run.Log.Snapshot()))
        {
            perSecond.Add(second.T, second.Share);
        }

        run.Sections.Add(string.Join("\n", table));
        var all = ScenarioStats.Summarize(run.Log.Snapshot());
        run.Target("lost: 0 through every step", $"lost {all.Lost} of {all.Sent:#,0}; other answers: {all.Errors}", all.Lost == 0);
        run.Target("observed split per step = canaryTrafficPercent (± 4 σ of a fair draw)", splitsMet ? "every step within its tolerance" : "a step outside its tolerance (table below)", splitsMet);
        run.Findings.Add($"{all.Sent:#,0} requests over {Steps.Length} steps; p99 over the whole run {ScenarioStats.Ms(all.P99Ms)} ms, max {ScenarioStats.Ms(all.MaxMs)} ms (the rollback to 0 % cold-starts revision 00001, which was kept at zero after the promotion).");
    }

    private static IEnumerable<(double T, double Share)> PerSecondShare(IReadOnlyList<RequestRecord> records) =>
        records.Where(r => r.IsSuccess).GroupBy(r => r.EndUs / 1_000_000)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key + 0.5, 100.0 * g.Count(r => r.Tag == 2) / g.Count()));
}
