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
          --kubernetes          run on the cluster (scripts/run-kubernetes.sh: a kube-apiserver, the node agent, KEDA
                                stand-in, controller, scaler, gateway) instead of serving-local; reports go to
                                loadtests/reports/kubernetes. Scenarios that take it: {string.Join(", ", OnKubernetes)}
        Every target is on loopback; every process a scenario starts is stopped when it ends or on Ctrl+C.
        Exit status: 0 every target met, 3 a target missed (the report says which), 1 a scenario could not run to its end.
        """;

    public required IReadOnlyList<IScenario> Scenarios { get; init; }

    public string OutputDir { get; init; } = "loadtests/reports";

    public string WorkDir { get; init; } = "loadtests/results/scenarios";

    /// <summary>Run on the cluster (<see cref="Platform.ClusterPlatform"/>) rather than serving-local.</summary>
    public bool Kubernetes { get; init; }

    private static IEnumerable<string> OnKubernetes => ScenarioCatalog.All.Where(s => s.RunsOnKubernetes).Select(s => s.Name);

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
        bool kubernetes = reader.Flag("kubernetes");
        if (kubernetes && name != "all" && !scenarios[0].RunsOnKubernetes)
        {
            throw new UsageException($"--kubernetes: {name} runs on the one-machine platform only (it drives serving-local's processes, "
                + $"folders or Redis); the scenarios that take --kubernetes: {string.Join(", ", OnKubernetes)}");
        }

        var defaults = new ScenarioOptions { Scenarios = kubernetes ? [.. scenarios.Where(s => s.RunsOnKubernetes)] : scenarios, Kubernetes = kubernetes };
        var options = defaults with
        {
            OutputDir = reader.Text("output-dir") ?? (kubernetes ? Path.Combine(defaults.OutputDir, "kubernetes") : defaults.OutputDir),
            WorkDir = reader.Text("work-dir") ?? defaults.WorkDir,
            Arguments = string.Join(' ', args),
        };
        reader.EnsureAllTaken();
        return options;
    }
}
