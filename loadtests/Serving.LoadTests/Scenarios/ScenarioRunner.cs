using Serving.LoadTests.Cli;
using Serving.LoadTests.Reporting;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios;

/// <summary>
/// Runs scenarios one after the other; each writes <c>{output}/{name}.md</c> and <c>{name}.png</c> whatever happens
/// (a missed target, a scenario that could not finish), and stops everything it started before the next begins.
/// </summary>
internal sealed class ScenarioRunner(ScenarioOptions options, Progress progress)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var build = new PlatformBuild(Directory.GetCurrentDirectory());
        string output = Path.GetFullPath(options.OutputDir);
        Directory.CreateDirectory(output);
        var summary = new List<string>();
        int status = 0;
        foreach (var scenario in options.Scenarios)
        {
            progress.Write($"{scenario.Name}: {scenario.Title}");
            var run = new ScenarioRun(scenario, options, build, progress);
            try
            {
                run.StartMonitoring();
                await scenario.RunAsync(run, cancellationToken);
            }
            catch (BenchmarkException e)
            {
                run.Failure = e.Message;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                run.Failure = "interrupted (Ctrl+C)";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                run.Failure = $"{e.GetType().Name}: {e.Message}"; // a bug or a broken machine: the report still says what was measured
            }
            finally
            {
                await run.DisposeAsync();
            }

            string report = Path.Combine(output, scenario.Name + ".md");
            await File.WriteAllTextAsync(report, ScenarioReport.Render(run), CancellationToken.None);
            ScenarioPlot.Save(run, Path.Combine(output, scenario.Name + ".png"));
            var lost = ScenarioStats.Summarize(run.Log.Snapshot()).Lost;
            int missed = run.Targets.Count(t => !t.Met);
            string line = $"{scenario.Name}: lost {lost}, targets met {run.Targets.Count - missed}/{run.Targets.Count}"
                + (run.Failure is null ? "" : $", did not finish: {run.Failure}") + $"; {Path.GetRelativePath(Directory.GetCurrentDirectory(), report)}";
            progress.Write(line);
            summary.Add(line);
            status = run.Failure is not null ? 1 : status == 0 && missed > 0 ? 3 : status;
            cancellationToken.ThrowIfCancellationRequested();
        }

        foreach (string line in summary)
        {
            Console.WriteLine(line);
        }

        return status;
    }
}
