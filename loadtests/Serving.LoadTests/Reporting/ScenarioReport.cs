using System.Globalization;
using System.Text;
using Serving.LoadTests.Observation;
using Serving.LoadTests.Scenarios;

namespace Serving.LoadTests.Reporting;

/// <summary>The markdown report of one scenario: <c>lost</c> and the targets first, then the plot, phases, events and setup.</summary>
internal static class ScenarioReport
{
    public static string Render(ScenarioRun run)
    {
        var records = run.Log.Snapshot();
        var all = ScenarioStats.Summarize(records);
        var md = new StringBuilder();
        md.AppendLine($"# Scenario `{run.Name}`: {run.Scenario.Title}");
        md.AppendLine();
        md.AppendLine($"**lost: {N(all.Lost)}** (requests sent minus 2xx answered: sent {N(all.Sent)}, 2xx {N(all.Ok)}; client errors (4xx), counted apart: {N(all.ClientErrors)}; answers other than 2xx: {all.Errors}).");
        if (run.Failure is { } failure)
        {
            md.AppendLine();
            md.AppendLine($"> **This run did not reach its end:** {failure}. The figures below are what was measured until then.");
        }

        md.AppendLine();
        md.AppendLine("| target | observed | |");
        md.AppendLine("|---|---|---|");
        foreach (var target in run.Targets)
        {
            md.AppendLine($"| {target.Target} | {target.Observed} | {(target.Met ? "✓ met" : "**✗ missed**")} |");
        }

        if (run.Targets.Count == 0)
        {
            md.AppendLine("| (none checked: the run ended first) | | |");
        }

        md.AppendLine();
        foreach (string finding in run.Findings)
        {
            md.AppendLine($"- {finding}");
        }

        md.AppendLine();
        md.AppendLine($"![{run.Name}]({run.Name}.png)");
        md.AppendLine();
        md.AppendLine("## Phases");
        md.AppendLine();
        md.AppendLine("Requests are counted in the phase in which they were sent; latencies are of 2xx answers (HdrHistogram).");
        md.AppendLine();
        md.AppendLine("| phase | seconds | sent | 2xx | lost | other answers | p50 ms | p99 ms | max ms |");
        md.AppendLine("|---|---|---:|---:|---:|---|---:|---:|---:|");
        var phases = run.Phases.Count > 0 ? run.Phases : [new ScenarioPhase("whole run", 0, run.Now, false)];
        foreach (var phase in phases)
        {
            var s = ScenarioStats.Summarize(ScenarioStats.SentBetween(records, phase.Start, phase.End));
            md.AppendLine($"| {phase.Name} | {phase.Start:0.0}–{phase.End:0.0} | {N(s.Sent)} | {N(s.Ok)} | {N(s.Lost)} | {s.Errors} | {ScenarioStats.Ms(s.P50Ms)} | {ScenarioStats.Ms(s.P99Ms)} | {ScenarioStats.Ms(s.MaxMs)} |");
        }

        md.AppendLine();
        foreach (string section in run.Sections)
        {
            md.AppendLine(section.TrimEnd());
            md.AppendLine();
        }

        md.AppendLine("## Events");
        md.AppendLine();
        md.AppendLine("| t (s) | what |");
        md.AppendLine("|---:|---|");
        foreach (var e in run.Events)
        {
            md.AppendLine($"| {e.T:0.00} | {e.Label} |");
        }

        var machine = MachineInfo.Read();
        md.AppendLine();
        md.AppendLine("## Setup");
        md.AppendLine();
        md.AppendLine(run.Setup);
        md.AppendLine();
        if (run.Options.Kubernetes)
        {
            md.AppendLine("**Ran on the cluster** (`--kubernetes`): `scripts/run-kubernetes.sh` (what `./run.sh --kubernetes` runs) with the scenario's "
                + "manifest folder as MANIFESTS: a kube-apiserver v1.20.2 with etcd, the node agent (a kubelet stand-in that runs pods as local processes), "
                + "the KEDA stand-in, Redis, serving-controller, serving-scaler and serving-gateway in cluster mode. Statuses are read from the API server, "
                + "replicas from the gateway's `/routes`; the platform's CPU is that of the script's process tree: the node agent and the pods it runs, the KEDA stand-in, "
                + "serving-controller, serving-scaler and serving-gateway (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and Redis run detached, outside it, and are not counted).");
            md.AppendLine();
        }

        md.AppendLine($"Run on {run.StartedAt:yyyy-MM-dd HH:mm} UTC, {run.Now / 60:0.0} min. Machine: {machine.Cores} cores, {machine.CpuModel}, {machine.Os}, {machine.DotNet}; "
            + "the client, the platform and its runtimes share these cores (and the machine is shared with other work, "
            + $"load average {LoadAverage()} when the report was written), so compare figures within a run. "
            + "Client: `serving-loadtests` (HttpClient, one connection per request in flight, no retries), every address on loopback.");
        md.AppendLine();
        md.AppendLine("## How to reproduce");
        md.AppendLine();
        md.AppendLine("```");
        string flags = run.Options.Kubernetes ? " --kubernetes" : "";
        md.AppendLine($"loadtests/run.sh {run.Name}{flags}      # builds Release, then runs: dotnet loadtests/Serving.LoadTests/bin/Release/net10.0/serving-loadtests.dll scenario {run.Name}{flags}");
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine("Processes it started (the platform with the client's working directory, the repository root):");
        md.AppendLine();
        foreach (string command in run.Commands.Distinct())
        {
            md.AppendLine($"- `{Relative(command)}`");
        }

        return md.ToString();
    }

    /// <summary>The 1, 5 and 15 minute load averages (<c>/proc/loadavg</c>): how busy the machine was besides this run.</summary>
    private static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string N(int value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Relative(string command) => command.Replace(Directory.GetCurrentDirectory() + "/", "", StringComparison.Ordinal);
}
