using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Kpa;
using Serving.Controller.Admission;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Processes;
using Serving.Controller.Local.Scaling;
using Serving.Controller.Local.Sources;
using Serving.Controller.Local.Status;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;
using Serving.Gateway.Graph;
using Serving.Gateway.Model;
using Serving.Gateway.Revisions;
using Serving.Gateway.Routing;

namespace Serving.Controller.Local;

/// <summary>
/// The controller's local backend: watches a folder of KServe YAML, admits and plans every InferenceService with the
/// same pure functions the Kubernetes controller uses, runs each live revision's replicas as runtime processes,
/// feeds the gateway's routing model, and drives replica counts with the KPA from the gateway's own accounting.
/// Everything that changes state runs on one loop, so reconciles never interleave.
/// </summary>
public sealed partial class LocalPlatform : IAsyncDisposable
{
    private readonly LocalPlatformOptions _options;
    private readonly ServiceCatalog _catalog;
    private readonly GraphCatalog _graphs;
    private readonly Dictionary<ServiceKey, string> _graphManifests = [];
    private readonly LocalActivation _activation;
    private readonly RuntimeLauncher _launcher;
    private readonly PlannerOptions _planner;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ManifestFolder _folder;
    private readonly Channel<ServiceKey> _dirty = Channel.CreateUnbounded<ServiceKey>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ServiceKey, ServiceEntry> _services = [];
    private readonly StatusBoard _board = new();
    private readonly StartHistory _starts = new();
    private RuntimeCatalog _runtimes = RuntimeCatalog.Defaults;
    private string _runtimesJson = "[]";
    private IReadOnlyDictionary<string, IReadOnlyList<Loading.LoadError>> _fileErrors = new Dictionary<string, IReadOnlyList<Loading.LoadError>>();
    private DateTimeOffset _nextScan;
    private DateTimeOffset _nextDecision;

    public LocalPlatform(
        LocalPlatformOptions options, ServiceCatalog catalog, GraphCatalog graphs, LocalActivation activation, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _catalog = catalog;
        _graphs = graphs;
        _activation = activation;
        _time = time;
        _logger = loggers.CreateLogger<LocalPlatform>();
        _launcher = new RuntimeLauncher(options.RuntimePath, options.StorageRoot);
        _planner = new PlannerOptions(catalog.Domain);
        _folder = new ManifestFolder(options.ManifestDirectory);
        _board.AddSource("graphs", () => _graphs.Statuses.Select(g => new ResourceView(
            InferenceGraph.ApiVersionValue, InferenceGraph.KindValue, g.Name, g.Namespace, null,
            JsonSerializer.SerializeToNode(g.Status, KubeJson.Options))));
    }

    /// <summary>KServe-shaped status of everything the folder declares; safe to read from any thread.</summary>
    public StatusBoard Status => _board;

    /// <summary>Timelines of the most recent replica starts (a bounded history, oldest first), for cold-start benchmarks.</summary>
    public IReadOnlyList<StartTimeline> Starts => _starts.Snapshot();

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then stops every replica.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        LogWatching(_logger, _folder.Directory);
        using var ticker = new PeriodicTimer(_options.SampleInterval, _time);
        var tick = ticker.WaitForNextTickAsync(stoppingToken).AsTask();
        var activation = _activation.Reader.ReadAsync(stoppingToken).AsTask();
        var dirty = _dirty.Reader.ReadAsync(stoppingToken).AsTask();
        ScanFolder();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var fired = await Task.WhenAny(tick, activation, dirty);
                if (fired == activation)
                {
                    Activate(await activation);
                    activation = _activation.Reader.ReadAsync(stoppingToken).AsTask();
                }
                else if (fired == dirty)
                {
                    var key = await dirty;
                    var keys = new HashSet<ServiceKey> { key };
                    while (_dirty.Reader.TryRead(out var more))
                    {
                        keys.Add(more);
                    }

                    foreach (var k in keys)
                    {
                        if (_services.TryGetValue(k, out var entry))
                        {
                            Reconcile(entry);
                        }
                    }

                    dirty = _dirty.Reader.ReadAsync(stoppingToken).AsTask();
                }
                else
                {
                    if (!await tick)
                    {
                        break;
                    }

                    OnTick();
                    tick = ticker.WaitForNextTickAsync(stoppingToken).AsTask();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    public async ValueTask DisposeAsync()
    {
        var all = _services.Values.SelectMany(s => s.Live.Values).Select(l => l.Runner.DisposeAsync().AsTask()).ToList();
        _services.Clear();
        await Task.WhenAll(all);
    }

    private void OnTick()
    {
        var now = _time.GetUtcNow();
        if (now >= _nextScan)
        {
            _nextScan = now + _options.ScanInterval;
            ScanFolder();
        }

        foreach (var live in _services.Values.SelectMany(s => s.Live.Values))
        {
            if (live.Gateway is { } state)
            {
                live.Autoscaler.Record(state.Stats.Concurrency, state.Stats.Arrivals);
            }
        }

        if (now >= _nextDecision)
        {
            _nextDecision = now + _options.DecisionInterval;
            foreach (var live in _services.Values.SelectMany(s => s.Live.Values))
            {
                Decide(live);
            }
        }
    }

    private void Decide(LiveRevision live)
    {
        var decision = live.Autoscaler.Decide(live.Runner.ReadyReplicas);
        int replicas = decision.Replicas;
        if (live.Runner.Phase == RevisionPhase.Pending)
        {
            replicas = Math.Max(1, replicas); // a new revision keeps one replica until it has proved it works
        }

        if (replicas != live.Runner.Desired)
        {
            LogScale(_logger, live.Runner.Name, live.Runner.Desired, replicas, decision.Reason.ToString(), decision.StableValue, decision.PanicValue);
            live.Runner.ScaleTo(replicas);
        }
    }

    /// <summary>A request is waiting for a revision: start a replica now if none is wanted, then let the KPA decide.</summary>
    private void Activate(RevisionKey key)
    {
        long activated = _time.GetTimestamp();
        var service = new ServiceKey(key.Namespace, key.Service);
        if (!_services.TryGetValue(service, out var entry) || !entry.Live.TryGetValue(key.Revision, out var live))
        {
            return;
        }

        if (live.Gateway is { } state)
        {
            live.Autoscaler.Record(state.Stats.Concurrency, state.Stats.Arrivals);
        }

        if (live.Runner.Desired == 0)
        {
            LogActivated(_logger, live.Runner.Name);
            live.Runner.ScaleTo(Math.Max(1, live.Autoscaler.Config.ActivationScale), activated);
        }

        Decide(live);
    }

    private void ScanFolder()
    {
        if (_folder.Scan() is not { } snapshot)
        {
            return;
        }

        _fileErrors = snapshot.Errors;
        foreach (var (file, errors) in snapshot.Errors)
        {
            LogFileError(_logger, file, string.Join("; ", errors));
        }

        var objects = snapshot.Objects.Select(o => o.Object).ToList();
        var runtimes = objects.Where(o => o is IServingRuntime).Cast<object>().ToList();
        string runtimesJson = JsonSerializer.Serialize(runtimes, KubeJson.Options);
        bool runtimesChanged = runtimesJson != _runtimesJson;
        _runtimesJson = runtimesJson;
        _runtimes = RuntimeCatalog.From(runtimes.Select(o => Defaulting.ObjectDefaulter.Default((IKubeObject)o))).WithDefaultRuntimes();
        var declared = new Dictionary<ServiceKey, (InferenceService Isvc, string Source)>();
        foreach (var loaded in snapshot.Objects)
        {
            if (loaded.Object is InferenceService isvc)
            {
                string ns = string.IsNullOrEmpty(isvc.Metadata.Namespace) ? "default" : isvc.Metadata.Namespace;
                declared[new ServiceKey(ns, isvc.Metadata.Name ?? "")] = (isvc, loaded.Source);
            }
        }

        foreach (var gone in _services.Keys.Where(k => !declared.ContainsKey(k)).ToList())
        {
            Delete(_services[gone]);
        }

        foreach (var (key, (isvc, source)) in declared)
        {
            string json = JsonSerializer.Serialize(isvc, KubeJson.Options);
            if (_services.TryGetValue(key, out var entry) && entry.ManifestJson == json)
            {
                if (runtimesChanged)
                {
                    Reconcile(entry); // a runtime came, changed or went: selection may differ now
                }

                continue;
            }

            entry ??= _services[key] = new ServiceEntry(key) { Dirty = k => _dirty.Writer.TryWrite(k) };
            entry.Manifest = isvc;
            entry.ManifestJson = json;
            entry.Source = source;
            LogApplied(_logger, "InferenceService " + key, "from " + Path.GetFileName(source));
            Reconcile(entry);
        }

        ApplyGraphs(snapshot.Objects.Select(o => o.Object).OfType<InferenceGraph>());
        PublishBoard();
    }

    /// <summary>Graphs run in the gateway: hand each new or changed one to its graph catalog, remove the ones gone.</summary>
    private void ApplyGraphs(IEnumerable<InferenceGraph> graphs)
    {
        var declared = new Dictionary<ServiceKey, InferenceGraph>();
        foreach (var graph in graphs)
        {
            string ns = string.IsNullOrEmpty(graph.Metadata.Namespace) ? "default" : graph.Metadata.Namespace;
            declared[new ServiceKey(ns, graph.Metadata.Name ?? "")] = graph with { Metadata = graph.Metadata with { Namespace = ns } };
        }

        foreach (var gone in _graphManifests.Keys.Where(k => !declared.ContainsKey(k)).ToList())
        {
            _graphManifests.Remove(gone);
            _graphs.Remove(gone.Namespace, gone.Name);
            LogDeleted(_logger, "InferenceGraph " + gone);
        }

        foreach (var (key, graph) in declared)
        {
            string json = JsonSerializer.Serialize(graph, KubeJson.Options);
            if (_graphManifests.GetValueOrDefault(key) != json)
            {
                _graphManifests[key] = json;
                _graphs.Set(graph);
                LogApplied(_logger, "InferenceGraph " + key, "");
            }
        }
    }

    private void Reconcile(ServiceEntry entry)
    {
        for (int pass = 0; pass < 3; pass++)
        {
            var previous = entry.Admitted?.Object is InferenceService old ? old with { Status = entry.Status } : null;
            var admitted = Admission.Admission.Admit(entry.Manifest!, _runtimes, previous);
            var result = ServicePlanner.Plan(admitted, entry.State, entry.Observe, _time.GetUtcNow(), _planner);
            entry.Admitted = admitted.Accepted ? admitted : entry.Admitted;
            entry.State = result.State;
            entry.Status = StatusBoard.KeepTransitionTimes(entry.Status, result.Status);
            if (!Apply(entry, result.Plan))
            {
                break; // nothing new started with a known outcome: the plan is settled
            }
        }

        PublishBoard();
    }

    /// <summary>Makes the plan so: starts new revisions, routes, then drains what left the plan. True if a new revision already failed.</summary>
    private bool Apply(ServiceEntry entry, ServicePlan? plan)
    {
        var wanted = plan?.Components.SelectMany(c => c.Revisions).ToDictionary(r => r.Name, StringComparer.Ordinal) ?? [];
        bool replan = false;
        foreach (var (name, revision) in wanted)
        {
            if (entry.Live.ContainsKey(name))
            {
                continue;
            }

            var live = Start(entry, revision);
            entry.Live[name] = live;
            replan |= live.Runner.Phase == RevisionPhase.Failed;
        }

        var stale = entry.Live.Where(l => !wanted.ContainsKey(l.Key)).Select(l => l.Value).ToList();
        foreach (var live in stale)
        {
            entry.Live.Remove(live.Runner.Name);
            entry.Seen[live.Runner.Name] = live.Runner.Observe() with { ReadyReplicas = 0 };
        }

        Route(entry, plan);
        foreach (var live in stale)
        {
            LogRetired(_logger, live.Runner.Name);
            live.Runner.Changed -= entry.OnRunnerChanged;
            live.Gateway = null;
            _ = live.Runner.DisposeAsync().AsTask();
        }

        return replan;
    }

    private LiveRevision Start(ServiceEntry entry, RevisionRecord revision)
    {
        var template = revision.Template;
        var (command, error) = _launcher.Command(template, Path.Combine(_options.ScratchDirectory, entry.Key.Namespace, revision.Name));
        var config = AutoscalingConfigFor(template, revision.Name);
        var key = new RevisionKey(entry.Key.Namespace, entry.Key.Name, ComponentOf(template.Component), revision.Name);
        LiveRevision? live = null;
        var runner = new RevisionRunner(
            revision, command, error, _options.Replicas,
            address => live?.Gateway?.Replicas.FirstOrDefault(r => r.Address == address)?.InFlight ?? 0, _starts, _time, _logger);
        live = new LiveRevision(key, runner, new RevisionAutoscaler(config, _time));
        runner.Changed += entry.OnRunnerChanged;
        if (runner.Phase == RevisionPhase.Failed)
        {
            LogCannotRun(_logger, revision.Name, error ?? "");
            return live;
        }

        bool wasReady = entry.Seen.TryGetValue(revision.Name, out var seen) && seen.Phase == RevisionPhase.Ready;
        // Raw mode needs no case here: its minReplicas (hence MinScale) is at least 1.
        int initial = wasReady ? config.MinScale : Math.Max(1, Math.Max(config.InitialScale, config.MinScale));

        runner.ScaleTo(initial);
        return live;
    }

    private AutoscalingConfig AutoscalingConfigFor(RevisionTemplate template, string revision)
    {
        var scaling = template.Scaling;
        try
        {
            return AutoscalingConfigParser.FromKServe(
                new KServeScaling
                {
                    MinReplicas = scaling.MinReplicas,
                    MaxReplicas = scaling.MaxReplicas,
                    ScaleTarget = scaling.ScaleTarget,
                    ScaleMetric = scaling.ScaleMetric,
                    ContainerConcurrency = template.ContainerConcurrency,
                },
                scaling.Annotations,
                _options.Autoscaling);
        }
        catch (AutoscalingConfigException e)
        {
            LogBadScaling(_logger, revision, e.Message);
            return _options.Autoscaling;
        }
    }

    /// <summary>Hands the plan to the gateway: traffic over live revisions, each with its ready replicas.</summary>
    private void Route(ServiceEntry entry, ServicePlan? plan)
    {
        var components = new Dictionary<Component, ComponentRoute>();
        var routed = new List<StartTimeline>();
        foreach (var component in plan?.Components ?? [])
        {
            var traffic = component.Traffic.Where(t => t.Revision is not null).ToList();
            if (traffic.Count == 0 || traffic.Sum(t => t.Percent) != 100)
            {
                continue; // nothing servable yet: the status says why
            }

            components[ComponentOf(component.Component)] = new ComponentRoute(
                [.. traffic.Select(t => new Gateway.Model.TrafficTarget(t.Revision!, t.Percent, t.Tag))],
                [.. component.Revisions.Select(r => RevisionRouteOf(r, entry.Live[r.Name].Runner, routed))]);
        }

        if (plan is null || !components.ContainsKey(Component.Predictor) || components.Count != plan.Components.Count)
        {
            _catalog.Remove(entry.Key);
        }
        else
        {
            string? protocol = plan.Components.FirstOrDefault(c => c.Component == ComponentTypes.Predictor)?.Revisions
                .FirstOrDefault()?.Template.ProtocolVersion;
            // Stamped as the route is handed over: Set releases held requests, which may be forwarded before it returns.
            long now = _time.GetTimestamp();
            routed.ForEach(t => t.Stamp(StartStep.Routed, now));
            _catalog.Set(new ServiceRoute(entry.Key.Namespace, entry.Key.Name, components) { ProtocolVersion = protocol });
        }

        var states = _catalog.Revisions.ToDictionary(r => r.Key);
        foreach (var live in entry.Live.Values)
        {
            live.Gateway = states.GetValueOrDefault(live.Key) ?? live.Gateway;
        }
    }

    private static RevisionRoute RevisionRouteOf(RevisionRecord revision, RevisionRunner runner, List<StartTimeline> routed)
    {
        var serving = runner.Serving;
        routed.AddRange(serving.Select(s => s.Timeline));
        return new RevisionRoute(revision.Name, revision.Template.ContainerConcurrency, [.. serving.Select(s => new EndpointRoute(s.Address, true))]);
    }

    private void Delete(ServiceEntry entry)
    {
        LogDeleted(_logger, "InferenceService " + entry.Key);
        _services.Remove(entry.Key);
        _catalog.Remove(entry.Key);
        foreach (var live in entry.Live.Values)
        {
            live.Runner.Changed -= entry.OnRunnerChanged;
            live.Gateway = null;
            _ = live.Runner.DisposeAsync().AsTask();
        }

        entry.Live.Clear();
    }

    private void PublishBoard() => _board.Publish(_services.Values.Select(s => s.Resource()), _fileErrors, _options.ManifestDirectory);

    private static Component ComponentOf(string component) =>
        ComponentNames.TryParse(component, out var parsed) ? parsed : throw new ArgumentException($"unknown component {component}", nameof(component));

    /// <summary>One InferenceService as the platform holds it.</summary>
    private sealed class ServiceEntry(ServiceKey key)
    {
        public ServiceKey Key { get; } = key;

        public InferenceService? Manifest { get; set; }

        public string ManifestJson { get; set; } = "";

        public string Source { get; set; } = "";

        public AdmittedObject? Admitted { get; set; }

        public ServiceState? State { get; set; }

        public InferenceServiceStatus? Status { get; set; }

        public Dictionary<string, LiveRevision> Live { get; } = new(StringComparer.Ordinal);

        /// <summary>What was last seen of revisions that no longer run (a ready one stays ready, as in Knative).</summary>
        public Dictionary<string, RevisionObservation> Seen { get; } = new(StringComparer.Ordinal);

        public Action<ServiceKey>? Dirty { get; set; }

        public RevisionObservation Observe(string revision) =>
            Live.TryGetValue(revision, out var live) ? live.Runner.Observe() : Seen.GetValueOrDefault(revision) ?? RevisionObservation.Pending;

        public void OnRunnerChanged(RevisionRunner runner) => Dirty?.Invoke(Key);

        public ResourceView Resource() => new(
            InferenceService.ApiVersionValue, InferenceService.KindValue, Key.Name, Key.Namespace,
            State?.CreationTimestamp, Status is null ? null : JsonSerializer.SerializeToNode(Status, KubeJson.Options));
    }

    private sealed class LiveRevision(RevisionKey key, RevisionRunner runner, RevisionAutoscaler autoscaler)
    {
        public RevisionKey Key { get; } = key;

        public RevisionRunner Runner { get; } = runner;

        public RevisionAutoscaler Autoscaler { get; } = autoscaler;

        /// <summary>The gateway's view of the revision (load, replicas' in-flight counts) once routed.</summary>
        public RevisionState? Gateway
        {
            get;
            set
            {
                if (ReferenceEquals(field, value))
                {
                    return;
                }

                field?.ColdStartForwarding -= OnColdStartForwarding;
                field = value;
                field?.ColdStartForwarding += OnColdStartForwarding;
            }
        }

        /// <summary>A request held at zero is being forwarded: it closes the timelines of the replicas just routed.</summary>
        private void OnColdStartForwarding(RevisionState state, long timestamp)
        {
            foreach (var timeline in Runner.ServingTimelines)
            {
                if (timeline.Has(StartStep.Routed))
                {
                    timeline.Stamp(StartStep.Forwarded, timestamp);
                }
            }
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "watching {Directory} for KServe manifests")]
    private static partial void LogWatching(ILogger logger, string directory);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{File}: {Errors} (its last good objects stay)")]
    private static partial void LogFileError(ILogger logger, string file, string errors);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "{Service} applied {File}")]
    private static partial void LogApplied(ILogger logger, string service, string file);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{Service} deleted")]
    private static partial void LogDeleted(ILogger logger, string service);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "{Revision}: {From} -> {To} replicas ({Reason}; stable {Stable:0.##}, panic {Panic:0.##})")]
    private static partial void LogScale(ILogger logger, string revision, int from, int to, string reason, double stable, double panic);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "{Revision}: activated by a waiting request")]
    private static partial void LogActivated(ILogger logger, string revision);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "{Revision}: no longer routed; draining and stopping")]
    private static partial void LogRetired(ILogger logger, string revision);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "{Revision} cannot run here: {Error}")]
    private static partial void LogCannotRun(ILogger logger, string revision, string error);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "{Revision}: {Error}; using the default autoscaler settings")]
    private static partial void LogBadScaling(ILogger logger, string revision, string error);
}
