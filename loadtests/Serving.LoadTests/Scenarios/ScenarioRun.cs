using System.Diagnostics;
using System.Globalization;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Scenarios.Load;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios;

/// <summary>Something that happened at a moment of the run (a manifest written, a process killed), drawn as a line on the plots.</summary>
internal sealed record ScenarioEvent(double T, string Label, string? Short);

/// <summary>A named stretch of the run; per-phase figures count the requests sent in it. <paramref name="Shade"/>: drawn as a band.</summary>
internal sealed record ScenarioPhase(string Name, double Start, double End, bool Shade);

/// <summary>A target of the issue, what was observed, and whether it was met.</summary>
internal sealed record TargetResult(string Target, string Observed, bool Met);

/// <summary>A horizontal line on one plot panel: a target value or a bound.</summary>
internal sealed record PlotLine(string Panel, double Value, string Label);

/// <summary>A time series a scenario adds (memory, the scaler's metric, a canary's share), drawn on a panel of its own.</summary>
internal sealed class Series(string panel, string name, string unit)
{
    private readonly List<(double T, double V)> _points = [];

    public string Panel { get; } = panel;

    public string Name { get; } = name;

    public string Unit { get; } = unit;

    public IReadOnlyList<(double T, double V)> Points
    {
        get
        {
            lock (_points)
            {
                return [.. _points];
            }
        }
    }

    public void Add(double t, double value)
    {
        lock (_points)
        {
            _points.Add((t, value));
        }
    }
}

/// <summary>
/// One scenario while it runs and what its report is made of: the clock, the request log, the platform and its samples,
/// events, phases, targets and findings. Everything it started is stopped when it is disposed, Ctrl+C included.
/// </summary>
internal sealed class ScenarioRun : IAsyncDisposable
{
    private readonly Stack<IAsyncDisposable> _owned = new();
    private readonly Lock _lock = new();
    private readonly List<ScenarioEvent> _events = [];
    private readonly List<ScenarioPhase> _phases = [];
    private readonly CancellationTokenSource _ticker = new();
    private Task? _tickerLoop;

    public ScenarioRun(IScenario scenario, ScenarioOptions options, PlatformBuild build, Progress progress)
    {
        Scenario = scenario;
        Options = options;
        Build = build;
        Progress = progress;
        Clock = Stopwatch.StartNew();
        Log = new RequestLog(Clock);
        Client = new LoadClient(Log);
        string root = Path.Combine(options.WorkDir, scenario.Name, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Folders = new PlatformFolders(root);
        Sampler = new PlatformSampler(() => Now, Folders.Root);
        StartedAt = DateTimeOffset.UtcNow;
    }

    public IScenario Scenario { get; }

    public string Name => Scenario.Name;

    public ScenarioOptions Options { get; }

    public PlatformBuild Build { get; }

    public Progress Progress { get; }

    public Stopwatch Clock { get; }

    public DateTimeOffset StartedAt { get; }

    public double Now => Clock.Elapsed.TotalSeconds;

    public RequestLog Log { get; }

    public LoadClient Client { get; }

    public PlatformFolders Folders { get; }

    public PlatformSampler Sampler { get; }

    /// <summary>The platform scenarios drive (the last one started).</summary>
    public IServingPlatform? Platform => Sampler.Current;

    /// <summary>One paragraph: what ran, with which settings.</summary>
    public string Setup { get; set; } = "";

    /// <summary>The command lines of the processes started, for the report.</summary>
    public List<string> Commands { get; } = [];

    public List<TargetResult> Targets { get; } = [];

    /// <summary>The scenario's own figures, one line each, at the top of the report.</summary>
    public List<string> Findings { get; } = [];

    /// <summary>Markdown sections a scenario adds (a table per step, a trace).</summary>
    public List<string> Sections { get; } = [];

    public List<PlotLine> Lines { get; } = [];

    public List<Series> Series { get; } = [];

    /// <summary>Names of request tags (a model version, a flag), for tables and plots; empty when the scenario tags nothing.</summary>
    public Dictionary<short, string> TagNames { get; } = [];

    /// <summary>Width of the plots' time buckets; short scenarios (a burst) use less than a second.</summary>
    public double BucketSeconds { get; set; } = 1;

    /// <summary>The part of the run the plots show (seconds); null for all of it.</summary>
    public (double From, double To)? PlotWindow { get; set; }

    /// <summary>Where the plots start when <see cref="PlotWindow"/> is not set: on the cluster, shortly before it was up (not the minutes of its start).</summary>
    public double PlotFrom { get; private set; }

    /// <summary>Set when the scenario could not run to its end; the report says so.</summary>
    public string? Failure { get; set; }

    public IReadOnlyList<ScenarioEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<ScenarioPhase> Phases
    {
        get
        {
            lock (_lock)
            {
                return [.. _phases];
            }
        }
    }

    /// <summary>Records an event now; <paramref name="plotLabel"/> (a few characters) is written beside its line on the plots.</summary>
    public void Mark(string label, string? plotLabel = null)
    {
        lock (_lock)
        {
            _events.Add(new ScenarioEvent(Now, label, plotLabel));
        }

        Progress.Write($"{Name}: {label}");
    }

    public void AddPhase(string name, double start, double end, bool shade = false)
    {
        lock (_lock)
        {
            _phases.Add(new ScenarioPhase(name, start, end, shade));
        }
    }

    public void Target(string target, string observed, bool met) => Targets.Add(new TargetResult(target, observed, met));

    public Series AddSeries(string panel, string name, string unit)
    {
        var series = new Series(panel, name, unit);
        Series.Add(series);
        return series;
    }

    public T Own<T>(T disposable)
        where T : IAsyncDisposable
    {
        _owned.Push(disposable);
        return disposable;
    }

    /// <summary>Starts <c>serving-local</c> on this run's folders and samples it from now on.</summary>
    public async Task<PlatformProcess> StartPlatformAsync(CancellationToken cancellationToken, params string[] extra)
    {
        var platform = Own(await PlatformProcess.StartAsync(Build, Folders, Server.FreePort.Next(), Server.FreePort.Next(), extra, cancellationToken));
        Commands.Add(platform.CommandLine);
        Sampler.Current = platform;
        return platform;
    }

    /// <summary>
    /// Writes <paramref name="service"/> into the manifest folder, starts the platform (serving-local with
    /// <paramref name="localArgs"/>, or the cluster with <c>--kubernetes</c>), waits until the service is Ready with
    /// <paramref name="replicas"/> replicas in the gateway's routing.
    /// </summary>
    public async Task<IServingPlatform> StartServingAsync(Manifest service, int replicas, CancellationToken cancellationToken, params string[] localArgs)
    {
        (Options.Kubernetes ? ClusterPlatform.ForPods(service, Folders) : service).WriteTo(Folders.Manifests);
        return await ReadyAsync(service, replicas, await StartManifestsAsync(cancellationToken, localArgs), cancellationToken);
    }

    /// <summary>As <see cref="StartServingAsync"/>, on serving-local whatever the options: for a scenario that stops and starts the process itself.</summary>
    public async Task<PlatformProcess> StartLocalServingAsync(Manifest service, int replicas, CancellationToken cancellationToken)
    {
        service.WriteTo(Folders.Manifests);
        return await ReadyAsync(service, replicas, await StartPlatformAsync(cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Starts the platform on the manifests already in the folder (serving-local with <paramref name="localArgs"/>, or the
    /// cluster with <c>--kubernetes</c>, whose storage paths must then be absolute) and samples it from now on.
    /// </summary>
    public async Task<IServingPlatform> StartManifestsAsync(CancellationToken cancellationToken, params string[] localArgs)
    {
        if (!Options.Kubernetes)
        {
            return await StartPlatformAsync(cancellationToken, localArgs);
        }

        Progress.Write($"{Name}: starting the cluster (scripts/run-kubernetes.sh builds what it runs: minutes)");
        var platform = Own(await ClusterPlatform.StartAsync(Build, Folders, cancellationToken));
        Commands.Add(platform.CommandLine);
        Sampler.Current = platform;
        PlotFrom = Math.Max(0, Now - 2);
        return platform;
    }

    private async Task<T> ReadyAsync<T>(Manifest service, int replicas, T platform, CancellationToken cancellationToken)
        where T : IServingPlatform
    {
        await WaitReadyAsync(service.Name, replicas, TimeSpan.FromSeconds(Options.Kubernetes ? 180 : 60), cancellationToken);
        Mark($"{service.Name} Ready with {replicas} replica(s)", "ready");
        return platform;
    }

    /// <summary>Starts the platform sampler and the progress line (every 5 s on stderr).</summary>
    public void StartMonitoring()
    {
        Sampler.Start();
        _tickerLoop = TickAsync(_ticker.Token);
    }

    /// <summary>Switches sampling and the progress line to another platform process (a restart).</summary>
    public void Adopt(PlatformProcess platform)
    {
        Own(platform);
        Commands.Add(platform.CommandLine);
        Sampler.Current = platform;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms; a broken measurement when it does not hold within <paramref name="timeout"/>.</summary>
    public async Task<double> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        double start = Now;
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchmarkException($"{Name}: {what} did not happen within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(100, cancellationToken);
        }

        return Now - start;
    }

    /// <summary>Waits until the service is Ready with <paramref name="replicas"/> ready replicas in the gateway's routing.</summary>
    public Task<double> WaitReadyAsync(string service, int replicas, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitUntilAsync(
            async () => await Platform!.StatusAsync(service, cancellationToken) is { Ready: true }
                && (await Platform.Admin.RoutesAsync(cancellationToken))?.ReadyOf(service) >= replicas,
            timeout, $"{service} Ready with {replicas} replica(s)", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _ticker.CancelAsync();
        if (_tickerLoop is not null)
        {
            await _tickerLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Sampler.DisposeAsync();
        while (_owned.TryPop(out var owned))
        {
            await owned.DisposeAsync();
        }

        int orphans = RuntimeProcesses.KillAll(Folders.Root);
        if (orphans > 0)
        {
            Progress.Write($"{Name}: killed {orphans} runtime process(es) left behind");
        }

        Client.Dispose();
        _ticker.Dispose();
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            var records = Log.Snapshot();
            int ok = records.Count(r => r.IsSuccess);
            var recent = records.Where(r => r.IsSuccess && r.EndUs >= (Now - 5) * 1e6).Select(r => (long)r.LatencyUs).ToList();
            var last = Sampler.Last;
            string replicas = last is null ? "?" : last.Up ? last.Ready.Values.Sum().ToString(CultureInfo.InvariantCulture) : "platform down";
            Progress.Write($"{Name}: t={Now:0} s, answered {records.Count}, 2xx {ok}, other {records.Count - ok}, in flight {Log.InFlight}, "
                + $"p99 (last 5 s) {Reporting.ScenarioStats.Ms(Reporting.ScenarioStats.Percentile(recent, 99))} ms, ready replicas {replicas}, held {last?.Held ?? 0}");
        }
    }
}
