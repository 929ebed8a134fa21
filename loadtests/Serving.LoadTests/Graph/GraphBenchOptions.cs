using Serving.LoadTests.Cli;

namespace Serving.LoadTests.Graph;

/// <summary>What <c>serving-loadtests graph</c> measures and how often.</summary>
internal sealed record GraphBenchOptions
{
    public const string Usage = """
        usage: serving-loadtests graph [options]   (run from the repository root)
          --output PATH              markdown report (default loadtests/reports/graph-overhead.md)
          --rounds N                 interleaved rounds (default 7)
          --requests N               measured requests per cell and round for the Sequence cells (default 2000)
          --warmup N                 unmeasured requests before each cell (default 300)
          --ensemble-requests N      measured requests per cell and round for the Ensemble cells (default 40)
          --ensemble-delays-ms LIST  the three Ensemble backends' delays (default 10,20,40)
        """;

    public string OutputPath { get; init; } = "loadtests/reports/graph-overhead.md";

    public int Rounds { get; init; } = 7;

    public int Requests { get; init; } = 2000;

    public int Warmup { get; init; } = 300;

    public int EnsembleRequests { get; init; } = 40;

    public IReadOnlyList<int> EnsembleDelaysMs { get; init; } = [10, 20, 40];

    public static GraphBenchOptions Parse(IReadOnlyList<string> args)
    {
        var reader = new OptionReader(args, new HashSet<string>());
        var defaults = new GraphBenchOptions();
        var options = new GraphBenchOptions
        {
            OutputPath = reader.Text("output") ?? defaults.OutputPath,
            Rounds = reader.Int("rounds", 1, 100) ?? defaults.Rounds,
            Requests = reader.Int("requests", 10, 1_000_000) ?? defaults.Requests,
            Warmup = reader.Int("warmup", 0, 1_000_000) ?? defaults.Warmup,
            EnsembleRequests = reader.Int("ensemble-requests", 1, 10_000) ?? defaults.EnsembleRequests,
            EnsembleDelaysMs = reader.Ints("ensemble-delays-ms", 0) ?? defaults.EnsembleDelaysMs,
        };
        reader.EnsureAllTaken();
        if (options.EnsembleDelaysMs.Count != 3)
        {
            throw new UsageException("--ensemble-delays-ms takes three delays, one per Ensemble step");
        }

        return options;
    }
}
