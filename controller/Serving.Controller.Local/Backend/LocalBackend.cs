using Microsoft.Extensions.Logging;
using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Kpa;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Processes;
using Serving.Controller.Local.Store;
using Serving.Controller.Planning;
using Serving.Controller.Reconciling;
using Serving.Gateway.Balancing;
using Serving.Gateway.Model;
using Serving.Gateway.Revisions;
using Serving.Gateway.Routing;
using Serving.Gateway.Sources;

namespace Serving.Controller.Local.Backend;

/// <summary>
/// The controller's backend on one machine, a peer of the Kubernetes one: a revision is a record in the
/// <see cref="LocalStore"/> (what a Deployment is in a cluster) and, while it runs, runtime processes (its pods), scaled by
/// the KPA from the gateway's accounting (what KEDA and the HPA do in a cluster). Routes go to the gateway through the
/// same status-to-route translation a Kubernetes route source uses. Called from the platform's loop only.
/// </summary>
internal sealed partial class LocalBackend : IServingBackend, IAsyncDisposable
{
    private readonly LocalPlatformOptions _options;
    private readonly LocalStore _store;
    private readonly RuntimeLauncher _launcher;
    private readonly ServiceCatalog _catalog;
    private readonly LocalRoutes _routes;
    private readonly StartHistory _starts;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<ServiceKey, Dictionary<string, LiveRevision>> _live = [];
    private readonly List<Task> _stopping = [];

    public LocalBackend(
        LocalPlatformOptions options, LocalStore store, ServiceCatalog catalog, LocalRoutes routes, StartHistory starts, TimeProvider time, ILogger logger)
    {
        _options = options;
        _store = store;
        _launcher = new RuntimeLauncher(options.RuntimePath, options.StorageRoot, options.ReplicaEnvironment);
        _catalog = catalog;
        _routes = routes;
        _starts = starts;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised (on any thread) when something observed of a service's revisions changed: reconcile it again.</summary>
    public event Action<ServiceKey>? Changed;

    public IEnumerable<LiveRevision> Running => _live.Values.SelectMany(l => l.Values);

    public ValueTask<ObservedService> ObserveAsync(InferenceService service, CancellationToken cancellationToken)
    {
        var key = KeyOf(service);
        var live = _live.GetValueOrDefault(key);
        var revisions = _store.Revisions(key).Select(r => new ObservedRevision(
            r.Component, r.Record, live?.GetValueOrDefault(r.Record.Name)?.Runner.Observe() ?? RevisionObservation.Pending));
        return ValueTask.FromResult(new ObservedService([.. revisions], _store.Read(key)?.Status));
    }

    public ValueTask ApplyAsync(InferenceService service, ServicePlan? plan, InferenceServiceStatus status, CancellationToken cancellationToken)
    {
        var key = KeyOf(service);
        _store.Ensure(key, _time.GetUtcNow());
        if (!_live.TryGetValue(key, out var live))
        {
            _live[key] = live = new Dictionary<string, LiveRevision>(StringComparer.Ordinal);
        }

        var everReady = RevisionBookkeeping.EverReady(status);
        var running = plan?.Components.SelectMany(c => c.Revisions.Select(r => (c.Component, Record: r))).ToList() ?? [];
        var retained = plan?.Components.SelectMany(c => c.Retained.Select(r => (c.Component, Record: r))).ToList() ?? [];
        foreach (var (component, record) in running.Concat(retained))
        {
            if (record.Template is not null && !_store.Revisions(key).Any(r => r.Record.Name == record.Name))
            {
                _store.WriteRevision(key, new StoredRevision(component, record));
            }
        }

        foreach (var (component, record) in running)
        {
            if (!live.ContainsKey(record.Name) && (record.Template ?? _store.Revisions(key).FirstOrDefault(r => r.Record.Name == record.Name)?.Record.Template) is { } template)
            {
                live[record.Name] = Start(key, component, record with { Template = template }, everReady.Contains(record.Name));
            }
        }

        var keep = running.Concat(retained).Select(r => r.Record.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _store.Revisions(key).Where(r => !keep.Contains(r.Record.Name)))
        {
            _store.DeleteRevision(key, gone.Record.Name);
        }

        var runningNames = running.Select(r => r.Record.Name).ToHashSet(StringComparer.Ordinal);
        var stale = live.Values.Where(l => !runningNames.Contains(l.Runner.Name)).ToList();
        stale.ForEach(l => live.Remove(l.Runner.Name));
        Route(key, service with { Status = status });
        stale.ForEach(Retire);
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteStatusAsync(InferenceService service, InferenceServiceStatus status, CancellationToken cancellationToken)
    {
        _store.WriteStatus(KeyOf(service), status, _time.GetUtcNow());
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var key = new ServiceKey(@namespace, name);
        _routes.RemoveService(key);
        if (_live.Remove(key, out var live))
        {
            foreach (var revision in live.Values)
            {
                Retire(revision);
            }
        }

        _store.Delete(key);
        return ValueTask.CompletedTask;
    }

    /// <summary>Feeds every running revision's autoscaler a sample of the gateway's accounting.</summary>
    public void Sample()
    {
        foreach (var live in Running)
        {
            if (live.Gateway is { } state)
            {
                live.Autoscaler.Record(state.Stats.Concurrency, state.Stats.Arrivals);
            }
        }
    }

    /// <summary>Lets the KPA set every running revision's replicas.</summary>
    public void Decide()
    {
        foreach (var live in Running)
        {
            Decide(live);
        }
    }

    /// <summary>A request is waiting for a revision: start a replica now if none is wanted, then let the KPA decide.</summary>
    public void Activate(RevisionKey key)
    {
        long activated = _time.GetTimestamp();
        if (!_live.TryGetValue(new ServiceKey(key.Namespace, key.Service), out var service) || !service.TryGetValue(key.Revision, out var live))
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

    public async ValueTask DisposeAsync()
    {
        // The gateway stops too: replicas only finish the requests they have, with no routing change to wait for.
        var running = Running.ToList();
        running.ForEach(l => l.Gateway = null);
        var all = running.Select(l => l.Runner.DisposeAsync().AsTask()).Concat(_stopping).ToList();
        _live.Clear();
        await Task.WhenAll(all);
    }

    private static ServiceKey KeyOf(InferenceService service) =>
        new(service.Metadata.NamespaceOrDefault(), service.Metadata.Name ?? "");

    private void Decide(LiveRevision live)
    {
        var decision = live.Autoscaler.Decide(live.Runner.ReadyReplicas);
        int replicas = decision.Replicas;
        if (live.Runner.Phase != RevisionPhase.Ready)
        {
            replicas = Math.Max(1, replicas); // a new revision keeps one replica until it has proved it works
        }

        if (replicas != live.Runner.Desired)
        {
            LogScale(_logger, live.Runner.Name, live.Runner.Desired, replicas, decision.Reason.ToString(), decision.StableValue, decision.PanicValue);
            live.Runner.ScaleTo(replicas);
        }
    }

    private LiveRevision Start(ServiceKey service, string component, RevisionRecord revision, bool wasReady)
    {
        var template = revision.Template!;
        string scratch = Path.Combine(_options.ScratchDirectory, service.Namespace, revision.Name);
        var config = AutoscalingConfigFor(template, revision.Name);
        var key = new RevisionKey(service.Namespace, service.Name, ComponentOf(component), revision.Name);
        LiveRevision? live = null;
        var runner = new RevisionRunner(
            revision, () => _launcher.Command(template, scratch), _options.Replicas, (address, token) => live!.DrainedAsync(address, token), _starts, _time, _logger);
        live = new LiveRevision(key, runner, new RevisionAutoscaler(config, _time));
        runner.Changed += _ => Changed?.Invoke(service);
        if (runner.Phase == RevisionPhase.Failed)
        {
            LogCannotRun(_logger, revision.Name, runner.Message ?? "");
            Changed?.Invoke(service); // the plan was made before this was known: reconcile again
            return live;
        }

        // A revision that was ready (before a restart of the platform, or retained and rolled back to) starts at its floor;
        // a new one starts one replica to prove it works (Knative's initial scale). Raw mode's floor is already at least one.
        int initial = wasReady ? config.MinScale : Math.Max(1, Math.Max(config.InitialScale, config.MinScale));
        runner.ScaleTo(initial);
        return live;
    }

    /// <summary>Out of routing already: its runner drains and stops its replicas in the background.</summary>
    private void Retire(LiveRevision live)
    {
        LogRetired(_logger, live.Runner.Name);
        live.Gateway = null;
        _stopping.RemoveAll(t => t.IsCompleted);
        _stopping.Add(live.Runner.DisposeAsync().AsTask());
    }

    /// <summary>Hands the service's route to the gateway, then links each running revision to the gateway's view of it.</summary>
    private void Route(ServiceKey key, InferenceService service)
    {
        var live = _live[key];
        var routed = new List<StartTimeline>();
        var stored = _store.Revisions(key).ToDictionary(r => r.Record.Name, r => r.Record.Template, StringComparer.Ordinal);
        var route = ServiceRoutes.From(service with { Metadata = service.Metadata with { Namespace = key.Namespace } }, revision =>
        {
            if (live.TryGetValue(revision, out var running))
            {
                var serving = running.Runner.Serving;
                routed.AddRange(serving.Select(s => s.Timeline));
                var template = running.Runner.Revision.Template!;
                return new RevisionEndpoints([.. serving.Select(s => s.Address)], template.ContainerConcurrency, template.ProtocolVersion);
            }

            return stored.GetValueOrDefault(revision) is { } kept ? new RevisionEndpoints([], kept.ContainerConcurrency, kept.ProtocolVersion) : null;
        });

        // Stamped as the route is handed over: it releases held requests, which may be forwarded before it returns.
        long now = _time.GetTimestamp();
        routed.ForEach(t => t.Stamp(StartStep.Routed, now));
        _routes.SetService(route);
        var states = _catalog.Revisions.ToDictionary(r => r.Key);
        foreach (var revision in live.Values)
        {
            revision.Gateway = states.GetValueOrDefault(revision.Key) ?? revision.Gateway;
        }
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

    private static Component ComponentOf(string component) =>
        ComponentNames.TryParse(component, out var parsed) ? parsed : throw new ArgumentException($"unknown component {component}", nameof(component));

    /// <summary>A revision that runs: its replicas, its autoscaler, and the gateway's view of it once routed.</summary>
    internal sealed class LiveRevision(RevisionKey key, RevisionRunner runner, RevisionAutoscaler autoscaler)
    {
        private readonly Dictionary<string, Replica> _replicas = new(StringComparer.Ordinal);

        public RevisionKey Key { get; } = key;

        public RevisionRunner Runner { get; } = runner;

        public RevisionAutoscaler Autoscaler { get; } = autoscaler;

        /// <summary>The gateway's view of the revision (load, replicas' in-flight counts) once routed.</summary>
        public RevisionState? Gateway
        {
            get;
            set
            {
                if (value is not null)
                {
                    lock (_replicas)
                    {
                        foreach (var replica in value.Replicas)
                        {
                            _replicas.TryAdd(replica.Address, replica); // kept after it leaves routing: its last requests count
                        }
                    }
                }

                if (ReferenceEquals(field, value))
                {
                    return;
                }

                field?.ColdStartForwarding -= OnColdStartForwarding;
                field = value;
                field?.ColdStartForwarding += OnColdStartForwarding;
            }
        }

        /// <summary>Completes once the gateway no longer routes to <paramref name="address"/> and the requests it sent there are done.</summary>
        public async Task DrainedAsync(string address, CancellationToken cancellationToken)
        {
            while (true)
            {
                bool routed = Gateway?.Replicas.Any(r => r.Address == address && r.Ready) == true;
                Replica? replica;
                lock (_replicas)
                {
                    replica = _replicas.GetValueOrDefault(address);
                }

                if (!routed && (replica is null || replica.InFlight == 0))
                {
                    return;
                }

                await Task.Delay(10, cancellationToken);
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
