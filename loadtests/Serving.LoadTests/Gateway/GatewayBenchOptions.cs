using Serving.LoadTests.Cli;

namespace Serving.LoadTests.Gateway;

/// <summary>What <c>serving-loadtests gateway</c> measures and for how long; paths are relative to the working directory.</summary>
internal sealed record GatewayBenchOptions
{
    public const string Usage = """
        usage: serving-loadtests gateway [options]   (run from the repository root)
          --gateway-dll PATH         serving-gateway build (default gateway/Serving.Gateway.Host/bin/Release/net10.0/serving-gateway.dll);
                                     its folder is copied before the run, so a rebuild meanwhile does not change what is measured
          --go-proxy PATH            the Go reverse proxy built from loadtests/go-proxy (default .cache/loadtests/go-proxy)
          --yarp-dll PATH            the bare YARP forwarder built from loadtests/yarp-forwarder
                                     (default loadtests/yarp-forwarder/bin/Release/net10.0/yarp-forwarder.dll)
          --nginx PATH               nginx executable, backend and reverse proxy (default nginx)
          --output PATH              markdown report (default loadtests/reports/gateway.md; a .png plot goes beside it)
          --work-dir DIR             configs, logs, build copies (default loadtests/results/gateway)
          --no-plot                  skip the plot
          --phases LIST              any of snapshot, knobs, sweep, proxies (default all, in that order)
          --rounds N                 interleaved rounds of the proxy comparison (default 5)
          --sweep-rounds N           interleaved rounds of each tuning sweep step (default 3)
          --cell-seconds S           measured wrk time per cell (default 5)
          --warmup-seconds S         wrk warm-up before each cell (default 2)
          --process-warmup-seconds S wrk load on each freshly started proxy before its first cell, at the highest
                                     concurrency: a fresh gateway needs several seconds under load to finish tiered
                                     JIT compilation (default 8)
          --concurrency LIST         wrk connections (default 1,32)
          --wrk-threads N            wrk threads, at most one per connection (default 1)
          --attempts N               measure a cell up to N times while other processes use more than 0.25 cores,
                                     keeping the quietest attempt (default 3)
          --services N               InferenceServices in the routing snapshot benchmark (default 1000)
        """;

    public static IReadOnlyList<string> AllPhases { get; } = ["snapshot", "knobs", "sweep", "proxies"];

    public string GatewayDll { get; init; } = "gateway/Serving.Gateway.Host/bin/Release/net10.0/serving-gateway.dll";

    public string GoProxy { get; init; } = ".cache/loadtests/go-proxy";

    public string YarpDll { get; init; } = "loadtests/yarp-forwarder/bin/Release/net10.0/yarp-forwarder.dll";

    public string Nginx { get; init; } = "nginx";

    public string OutputPath { get; init; } = "loadtests/reports/gateway.md";

    public string WorkDir { get; init; } = "loadtests/results/gateway";

    public bool Plot { get; init; } = true;

    public IReadOnlyList<string> Phases { get; init; } = AllPhases;

    public int Rounds { get; init; } = 5;

    public int SweepRounds { get; init; } = 3;

    public TimeSpan CellDuration { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan WarmupDuration { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan ProcessWarmupDuration { get; init; } = TimeSpan.FromSeconds(8);

    public IReadOnlyList<int> Concurrency { get; init; } = [1, 32];

    public int WrkThreads { get; init; } = 1;

    public int Attempts { get; init; } = 3;

    public int Services { get; init; } = 1000;

    /// <summary>The arguments as given, for the report's "how to reproduce".</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public bool Runs(string phase) => Phases.Contains(phase);

    public static GatewayBenchOptions Parse(IReadOnlyList<string> args)
    {
        var read = new OptionReader(args, new HashSet<string>(["no-plot"], StringComparer.Ordinal));
        var d = new GatewayBenchOptions();
        var options = new GatewayBenchOptions
        {
            GatewayDll = read.Text("gateway-dll") ?? d.GatewayDll,
            GoProxy = read.Text("go-proxy") ?? d.GoProxy,
            YarpDll = read.Text("yarp-dll") ?? d.YarpDll,
            Nginx = read.Text("nginx") ?? d.Nginx,
            OutputPath = read.Text("output") ?? d.OutputPath,
            WorkDir = read.Text("work-dir") ?? d.WorkDir,
            Plot = !read.Flag("no-plot"),
            Phases = read.Text("phases") is { } p ? ParsePhases(p) : d.Phases,
            Rounds = read.Int("rounds", 1, 50) ?? d.Rounds,
            SweepRounds = read.Int("sweep-rounds", 1, 50) ?? d.SweepRounds,
            CellDuration = read.Seconds("cell-seconds", 1) ?? d.CellDuration,
            WarmupDuration = read.Seconds("warmup-seconds", 0) ?? d.WarmupDuration,
            ProcessWarmupDuration = read.Seconds("process-warmup-seconds", 1) ?? d.ProcessWarmupDuration,
            Concurrency = read.Ints("concurrency", 1) ?? d.Concurrency,
            WrkThreads = read.Int("wrk-threads", 1, 64) ?? d.WrkThreads,
            Attempts = read.Int("attempts", 1, 10) ?? d.Attempts,
            Services = read.Int("services", 1, 100_000) ?? d.Services,
            Arguments = [.. args],
        };

        read.EnsureAllTaken();
        return options;
    }

    private static string[] ParsePhases(string value) =>
        [.. value.Split(',').Select(v => AllPhases.Contains(v)
            ? v
            : throw new UsageException($"--phases takes {string.Join(", ", AllPhases)}, not '{v}'")).Distinct()];
}
