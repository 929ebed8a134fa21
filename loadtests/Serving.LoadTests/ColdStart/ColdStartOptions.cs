using Serving.LoadTests.Cli;

namespace Serving.LoadTests.ColdStart;

/// <summary>What <c>serving-loadtests coldstart</c> measures; paths are relative to the working directory.</summary>
internal sealed record ColdStartOptions
{
    public const string Usage = """
        usage: serving-loadtests coldstart [options]   (run from the repository root)
          --runs N                   cold starts per variant (default 10, at most 50); each waits for scale to zero (~8 s)
          --warm-requests N          warm requests after each cold start, direct to the replica and through the gateway (default 20)
          --runtime PATH             the serving-runtime the platform starts (default runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime)
          --model-dir DIR            the iris model folder (default samples/models/iris)
          --variants LIST            extra runtime environments, each NAME=VALUE[+NAME=VALUE], one InferenceService each, measured
                                     interleaved with the default (default DOTNET_TieredPGO=0; 'none' for the default only)
          --output PATH              markdown report (default loadtests/reports/coldstart.md)
          --work-dir DIR             manifests, model copy and scratch (default loadtests/results/coldstart)
        """;

    public int Runs { get; init; } = 10;

    public int WarmRequests { get; init; } = 20;

    public string RuntimePath { get; init; } = "runtime/Serving.Runtime.Host/bin/Release/net10.0/serving-runtime";

    public string ModelDir { get; init; } = "samples/models/iris";

    /// <summary>Runtime environments to compare with the default; each is one more InferenceService of the same model.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Variants { get; init; } =
        [new Dictionary<string, string>(StringComparer.Ordinal) { ["DOTNET_TieredPGO"] = "0" }];

    public string OutputPath { get; init; } = "loadtests/reports/coldstart.md";

    public string WorkDir { get; init; } = "loadtests/results/coldstart";

    public static ColdStartOptions Parse(IReadOnlyList<string> args)
    {
        var reader = new OptionReader(args, new HashSet<string>(StringComparer.Ordinal));
        var defaults = new ColdStartOptions();
        var options = new ColdStartOptions
        {
            Runs = reader.Int("runs", 1, 50) ?? defaults.Runs,
            WarmRequests = reader.Int("warm-requests", 1, 1000) ?? defaults.WarmRequests,
            RuntimePath = reader.Text("runtime") ?? defaults.RuntimePath,
            ModelDir = reader.Text("model-dir") ?? defaults.ModelDir,
            Variants = reader.Text("variants") is { } list ? ParseVariants(list) : defaults.Variants,
            OutputPath = reader.Text("output") ?? defaults.OutputPath,
            WorkDir = reader.Text("work-dir") ?? defaults.WorkDir,
        };
        reader.EnsureAllTaken();
        return options;
    }

    private static List<IReadOnlyDictionary<string, string>> ParseVariants(string list)
    {
        if (list == "none")
        {
            return [];
        }

        var variants = new List<IReadOnlyDictionary<string, string>>();
        foreach (string variant in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string assignment in variant.Split('+', StringSplitOptions.TrimEntries))
            {
                int equals = assignment.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || !assignment[..equals].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    throw new UsageException($"--variants: '{assignment}' is not NAME=VALUE (NAME of letters, digits and _)");
                }

                env[assignment[..equals]] = assignment[(equals + 1)..];
            }

            variants.Add(env);
        }

        return variants.Count <= 4 ? variants : throw new UsageException($"--variants: at most 4, got {variants.Count}");
    }
}
