using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Local.Backend;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Scaling;
using Serving.Controller.Local.Sources;
using Serving.Controller.Local.Status;
using Serving.Controller.Local.Store;
using Serving.Controller.Planning;
using Serving.Controller.Reconciling;
using Serving.Gateway.Graph;
using Serving.Gateway.Model;
using Serving.Gateway.Revisions;
using Serving.Gateway.Routing;
using Serving.Gateway.Sources;

namespace Serving.Controller.Local;

/// <summary>
/// The platform on one machine: a folder of KServe YAML is its API server, the controller's core
/// (<see cref="ServiceReconciler"/>) reconciles each InferenceService through the local backend (runtime processes,
/// records in a state folder), the gateway routes what the backend hands it, and the KPA scales revisions from the
/// gateway's accounting. Everything that changes state runs on one loop, so reconciles never interleave.
/// </summary>
public sealed partial class LocalPlatform : IAsyncDisposable
{
    private readonly LocalPlatformOptions _options;
    private readonly GraphCatalog _graphs;
    private readonly LocalActivation _activation;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ManifestFolder _folder;
    private readonly LocalStore _store;
    private readonly LocalRoutes _routes;
    private readonly LocalBackend _backend;
    private readonly ServiceReconciler _reconciler;
    private readonly WorkQueue<ServiceKey> _queue;
    private readonly StatusBoard _board = new();
    private readonly StartHistory _starts = new();
    private readonly Dictionary<ServiceKey, (InferenceService Service, string Json)> _declared = [];
    private readonly Dictionary<string, string> _graphProblems = new(StringComparer.Ordinal);
    private ManifestSnapshot _snapshot = new([], new Dictionary<string, IReadOnlyList<Loading.LoadError>>(), new Dictionary<string, IReadOnlyList<string>>());
    private bool _resumed;
    private DateTimeOffset _nextScan;
    private DateTimeOffset _nextDecision;

    public LocalPlatform(
        LocalPlatformOptions options, ServiceCatalog catalog, GraphCatalog graphs, InMemoryRouteSource routes, LocalActivation activation,
        TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _graphs = graphs;
        _activation = activation;
        _time = time;
        _logger = loggers.CreateLogger<LocalPlatform>();
        _folder = new ManifestFolder(options.ManifestDirectory);
        _store = new LocalStore(options.StateDirectory);
        _routes = new LocalRoutes(routes);
        _backend = new LocalBackend(options, _store, catalog, _routes, _starts, time, _logger);
        _reconciler = new ServiceReconciler(_backend, new PlannerOptions(catalog.Domain), time, loggers.CreateLogger<ServiceReconciler>());
        _queue = new WorkQueue<ServiceKey>(time);
        _backend.Changed += _queue.Add;
        _board.AddSource("graphs", () => _graphs.Statuses.Select(g => new ResourceView(
            InferenceGraph.ApiVersionValue, InferenceGraph.KindValue, g.Name, g.Namespace,
            _store.CreationOf(InferenceGraph.KindValue, new ServiceKey(g.Namespace, g.Name), _time.GetUtcNow()),
            JsonSerializer.SerializeToNode(g.Status, KubeJson.Options))));
    }

    /// <summary>KServe-shaped status of everything the folder declares; safe to read from any thread.</summary>
    public StatusBoard Status => _board;

    /// <summary>Timelines of the most recent replica starts (a bounded history, oldest first), for cold-start benchmarks.</summary>
    public IReadOnlyList<StartTimeline> Starts => _starts.Snapshot();

    /// <summary>
    /// Reconciles what the state folder and the manifest folder hold, before the gateway takes requests: a restarted
    /// platform routes its services at once (requests wait in the activator until their replicas are ready) instead of
    /// answering 404 for them until its loop gets to them. <see cref="RunAsync"/> goes on from there.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        _resumed = true;
        _store.Services.ToList().ForEach(_queue.Add);
        ScanFolder();
        while (_queue.TryTake(out var key))
        {
            await ReconcileAsync(key, cancellationToken);
        }

        PublishBoard();
    }

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then stops every replica.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        LogWatching(_logger, _folder.Directory, _store.Root);
        using var ticker = new PeriodicTimer(_options.SampleInterval, _time);
        var tick = ticker.WaitForNextTickAsync(stoppingToken).AsTask();
        var activation = _activation.Reader.ReadAsync(stoppingToken).AsTask();
        var work = _queue.TakeAsync(stoppingToken).AsTask();

        if (!_resumed)
        {
            // What an earlier run left is reconciled too: services deleted while it was down go, the others resume.
            _store.Services.ToList().ForEach(_queue.Add);
            ScanFolder();
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var fired = await Task.WhenAny(tick, activation, work);
                if (fired == activation)
                {
                    _backend.Activate(await activation);
                    activation = _activation.Reader.ReadAsync(stoppingToken).AsTask();
                }
                else if (fired == work)
                {
                    await ReconcileAsync(await work, stoppingToken);
                    PublishBoard();
                    work = _queue.TakeAsync(stoppingToken).AsTask();
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
        _queue.Dispose();
        await _backend.DisposeAsync();
    }

    private void OnTick()
    {
        var now = _time.GetUtcNow();
        if (now >= _nextScan)
        {
            _nextScan = now + _options.ScanInterval;
            ScanFolder();
        }

        _backend.Sample();
        if (now >= _nextDecision)
        {
            _nextDecision = now + _options.DecisionInterval;
            _backend.Decide();
        }
    }

    private async Task ReconcileAsync(ServiceKey key, CancellationToken cancellationToken)
    {
        try
        {
            if (_declared.TryGetValue(key, out var declared))
            {
                await _reconciler.ReconcileAsync(declared.Service, cancellationToken);
            }
            else if (_store.Read(key) is not null)
            {
                LogDeleted(_logger, "InferenceService " + key);
                await _reconciler.DeleteAsync(key.Namespace, key.Name, cancellationToken);
            }

            _queue.Forget(key);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or a full disk must not stop the loop: the service is tried again later, with backoff.
            var delay = _queue.AddRateLimited(key);
            LogReconcileFailed(_logger, e, key.ToString(), delay.TotalSeconds);
        }
        finally
        {
            _queue.Done(key);
        }
    }

    private void ScanFolder()
    {
        if (_folder.Scan() is not { } snapshot)
        {
            return;
        }

        foreach (var (file, errors) in snapshot.Errors)
        {
            if (!_snapshot.Errors.TryGetValue(file, out var before) || !before.SequenceEqual(errors))
            {
                LogFileError(_logger, file, string.Join("; ", errors));
            }
        }

        foreach (var (file, conflicts) in snapshot.Conflicts)
        {
            foreach (string conflict in conflicts.Except(_snapshot.Conflicts.GetValueOrDefault(file) ?? []))
            {
                LogConflict(_logger, Path.GetFileName(file), conflict);
            }
        }

        _snapshot = snapshot;
        var objects = snapshot.Objects.Select(o => o.Object).ToList();
        bool runtimesChanged = _reconciler.SetRuntimes(objects);
        var declared = new Dictionary<ServiceKey, (InferenceService, string)>();
        var now = _time.GetUtcNow();
        foreach (var loaded in snapshot.Objects)
        {
            if (loaded.Object is InferenceService isvc)
            {
                var key = new ServiceKey(isvc.Metadata.NamespaceOrDefault(), isvc.Metadata.Name ?? "");
                // The store plays the API server: it gives the object its creation time the first time it is seen.
                var created = _store.Ensure(key, now).CreationTimestamp;
                var service = isvc with { Metadata = isvc.Metadata with { Namespace = key.Namespace, CreationTimestamp = created } };
                declared[key] = (service, JsonSerializer.Serialize(service, KubeJson.Options));
                if (!_declared.TryGetValue(key, out var before) || before.Json != declared[key].Item2)
                {
                    LogApplied(_logger, "InferenceService " + key, Path.GetFileName(loaded.Source));
                    _queue.Add(key);
                }
                else if (runtimesChanged)
                {
                    _queue.Add(key); // a runtime came, changed or went: selection may differ now
                }
            }
        }

        foreach (var gone in _declared.Keys.Where(k => !declared.ContainsKey(k)).ToList())
        {
            _queue.Add(gone);
        }

        _declared.Clear();
        foreach (var (key, value) in declared)
        {
            _declared[key] = value;
        }

        ApplyGraphs(objects.OfType<InferenceGraph>(), now);
        PublishBoard();
    }

    /// <summary>Graphs run in the gateway: handed over with the routes; a graph that is refused is logged once.</summary>
    private void ApplyGraphs(IEnumerable<InferenceGraph> graphs, DateTimeOffset now)
    {
        var list = graphs.Select(g => g with { Metadata = g.Metadata with { Namespace = g.Metadata.NamespaceOrDefault() } }).ToList();
        foreach (var graph in list)
        {
            _store.CreationOf(InferenceGraph.KindValue, new ServiceKey(graph.Metadata.Namespace!, graph.Metadata.Name ?? ""), now);
        }

        _routes.SetGraphs(list);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (ns, name, status) in _graphs.Statuses)
        {
            if (status.Conditions?.FirstOrDefault() is { Reason: "InvalidGraph", Message: { } message })
            {
                string id = $"{ns}/{name}";
                problems[id] = message;
                if (_graphProblems.GetValueOrDefault(id) != message)
                {
                    LogGraphRefused(_logger, id, message);
                }
            }
        }

        _graphProblems.Clear();
        foreach (var (id, message) in problems)
        {
            _graphProblems[id] = message;
        }
    }

    private void PublishBoard() =>
        _board.Publish(
            _declared.Keys.Select(key => new ResourceView(
                InferenceService.ApiVersionValue, InferenceService.KindValue, key.Name, key.Namespace, _store.Read(key)?.CreationTimestamp,
                _store.Read(key)?.Status is { } status ? JsonSerializer.SerializeToNode(status, KubeJson.Options) : null)),
            _snapshot.Errors, _snapshot.Conflicts, _options.ManifestDirectory);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "watching {Directory} for KServe manifests (state in {State})")]
    private static partial void LogWatching(ILogger logger, string directory, string state);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "{File}: {Errors} (its last good objects stay)")]
    private static partial void LogFileError(ILogger logger, string file, string errors);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "{Service} applied from {File}")]
    private static partial void LogApplied(ILogger logger, string service, string file);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{Service} deleted")]
    private static partial void LogDeleted(ILogger logger, string service);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "{File}: {Conflict}")]
    private static partial void LogConflict(ILogger logger, string file, string conflict);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "InferenceGraph {Graph} refused: {Message}")]
    private static partial void LogGraphRefused(ILogger logger, string graph, string message);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "reconciling InferenceService {Service} failed; retrying in {Seconds:0.#} s")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string service, double seconds);
}
