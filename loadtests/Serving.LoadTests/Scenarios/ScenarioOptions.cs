using Serving.LoadTests.Cli;

namespace Serving.LoadTests.Scenarios;

/// <summary>What <c>serving-loadtests scenario</c> runs; paths are relative to the repository root.</summary>
internal sealed record ScenarioOptions
{
    public static string Usage => $"""
        usage: serving-loadtests scenario <name>|all [options]   (run from the repository root; loadtests/run.sh builds and does that)
        scenarios:
        {string.Join("\n", ScenarioCatalog.All.Select(s => $"  {s.Name,-17} {s.Title} ({s.Duration})"))}
        options:
          --output-dir DIR      reports and plots (default loadtests/reports)
          --work-dir DIR        manifests, state, models and logs of each run (default loadtests/results/scenarios)
          --kubernetes          run against a cluster: not available yet (the cluster mode has not landed; every
                                scenario drives the one-machine platform, serving-local)
        Every target is on loopback; every process a scenario starts is stopped when it ends or on Ctrl+C.
        Exit status: 0 every target met, 3 a target missed (the report says which), 1 a scenario could not run to its end.
        """;

    public required IReadOnlyList<IScenario> Scenarios { get; init; }

    public string OutputDir { get; init; } = "loadtests/reports";

    public string WorkDir { get; init; } = "loadtests/results/scenarios";

    /// <summary>The command line as given, for the reports' "how to reproduce".</summary>
    public string Arguments { get; init; } = "";

    public static ScenarioOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0].StartsWith("--", StringComparison.Ordinal))
        {
            throw new UsageException("scenario: name a scenario or 'all'");
        }

        string name = args[0];
        IReadOnlyList<IScenario> scenarios = name == "all"
            ? ScenarioCatalog.All
            : [ScenarioCatalog.All.FirstOrDefault(s => s.Name == name)
                ?? throw new UsageException($"scenario: unknown scenario '{name}' (one of {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))}, or all)")];
        var reader = new OptionReader(args.Skip(1).ToList(), new HashSet<string>(StringComparer.Ordinal) { "kubernetes" });
        if (reader.Flag("kubernetes"))
        {
            throw new UsageException("--kubernetes: the cluster mode has not landed yet; scenarios run on the one-machine platform only");
        }

        var defaults = new ScenarioOptions { Scenarios = scenarios };
        var options = defaults with
        {
            OutputDir = reader.Text("output-dir") ?? defaults.OutputDir,
            WorkDir = reader.Text("work-dir") ?? defaults.WorkDir,
            Arguments = string.Join(' ', args),
        };
        reader.EnsureAllTaken();
        return options;
    }
}
