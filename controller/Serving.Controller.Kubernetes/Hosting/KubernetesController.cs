using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Kubernetes.Backend;
using Serving.Controller.Kubernetes.Events;
using Serving.Controller.Kubernetes.Objects;
using Serving.Controller.Planning;
using Serving.Controller.Reconciling;
using Serving.Kubernetes.Client;
using Serving.Kubernetes.Informers;

namespace Serving.Controller.Kubernetes.Hosting;

/// <summary>
/// The controller while it leads: informers on KServe's kinds and on the objects it made, a work queue of
/// InferenceServices (changes coalesce per object; failures retry with backoff), the core reconciler over the Kubernetes
/// backend, and the InferenceGraphs' cluster-local name (<see cref="ClusterAddresses"/>) and status. A status write alone (which changes neither spec, labels nor annotations)
/// never triggers a reconcile.
/// </summary>
public sealed partial class KubernetesController
{
    private readonly ControllerOptions _options;
    private readonly KubeApi _api;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly WorkQueue<(string Namespace, string Name)> _services;
    private readonly WorkQueue<(string Namespace, string Name)> _graphs;
    private readonly Lock _runtimesLock = new();
    private ClusterCache? _cache;
    private ServiceReconciler? _reconciler;
    private ClusterAddresses? _addresses;
    private EventRecorder? _events;

    public KubernetesController(ControllerOptions options, KubeApi api, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _api = api;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<KubernetesController>();
        _services = new WorkQueue<(string, string)>(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(5));
        _graphs = new WorkQueue<(string, string)>(time, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(5));
    }

    /// <summary>Completes once every informer has listed once (readiness).</summary>
    public Task Synced { get; private set; } = new TaskCompletionSource().Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        bool hpaV2 = await _api.ServesAsync(Resources.HorizontalPodAutoscalersV2, cancellationToken);
        bool keda = await _api.ServesAsync(Resources.ScaledObjects, cancellationToken);
        if (!keda)
        {
            LogNoKeda(_logger);
        }

        string? ns = _options.Namespace;
        Informer Watch(ResourceType type, string? selector = null) =>
            new(_api, type, type.Namespaced ? ns : null, selector, _time, _loggers.CreateLogger<Informer>());
        var cache = new ClusterCache(
            Watch(Resources.InferenceServices), Watch(Resources.InferenceGraphs), Watch(Resources.ServingRuntimes), Watch(Resources.ClusterServingRuntimes),
            Watch(Resources.Deployments, ClusterCache.ManagedSelector), Watch(Resources.Pods, ClusterCache.ManagedSelector),
            Watch(Resources.Services, ClusterCache.ManagedSelector),
            keda ? Watch(Resources.ScaledObjects, ClusterCache.ManagedSelector) : null,
            Watch(hpaV2 ? Resources.HorizontalPodAutoscalersV2 : Resources.HorizontalPodAutoscalersV2Beta2, ClusterCache.ManagedSelector));
        _cache = cache;
        var settings = new ObjectSettings(_options.ScalerAddress, hpaV2 ? "v2" : "v2beta2", _options.StorageInitializerImage, _options.GatewayService)
        {
            ScalerTls = _options.ScalerTls,
            ScalerAuthentication = _options.ScalerTriggerAuthentication,
        };
        var events = new EventRecorder(_api, _time, _loggers.CreateLogger<EventRecorder>());
        _events = events;
        _addresses = new ClusterAddresses(_api, cache, settings);
        var retirement = new Retirement(_options.RetireGrace, _time, (ns, name, delay) => _services.AddAfter((ns, name), delay));
        var backend = new KubernetesBackend(_api, cache, settings, events, retirement, _loggers.CreateLogger<KubernetesBackend>());
        _reconciler = new ServiceReconciler(backend, new PlannerOptions(_options.Domain, ClusterLocalDomain: ObjectSettings.ClusterLocalDomain), _time, _loggers.CreateLogger<ServiceReconciler>());

        cache.InferenceServices.Changed += OnService;
        cache.InferenceGraphs.Changed += e => EnqueueGraph(e.Object);
        cache.ServingRuntimes.Changed += _ => OnRuntimes();
        cache.ClusterServingRuntimes.Changed += _ => OnRuntimes();
        cache.Deployments.Changed += OnOwned;
        cache.Pods.Changed += OnOwned;
        cache.Services.Changed += OnAddress;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var informers = cache.All.Select(i => i.RunAsync(stop.Token)).ToList();
        Synced = Task.WhenAll(cache.All.Select(i => i.Synced));
        try
        {
            await Synced.WaitAsync(cancellationToken);
            LogSynced(_logger, cache.InferenceServices.Items.Count, cache.InferenceGraphs.Items.Count);
            OnRuntimes();
            foreach (var item in cache.InferenceServices.Items)
            {
                _services.Add(Key(item));
            }

            var workers = Enumerable.Range(0, _options.Workers).Select(_ => WorkAsync(_services, ReconcileServiceAsync, stop.Token))
                .Append(WorkAsync(_graphs, ReconcileGraphAsync, stop.Token))
                .ToList();
            await Task.WhenAny(workers.Concat(informers));
            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("a controller loop ended on its own"); // never a zombie: the host stops
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(informers).ContinueWith(_ => { }, TaskScheduler.Default);
            _services.Dispose();
            _graphs.Dispose();
        }
    }

    private async Task WorkAsync(WorkQueue<(string Namespace, string Name)> queue, Func<(string Namespace, string Name), CancellationToken, Task> reconcile, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            (string Namespace, string Name) key;
            try
            {
                key = await queue.TakeAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await reconcile(key, cancellationToken);
                queue.Forget(key);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var delay = queue.AddRateLimited(key);
                LogReconcileFailed(_logger, e, $"{key.Namespace}/{key.Name}", delay.TotalSeconds);
            }
            finally
            {
                queue.Done(key);
            }
        }
    }

    private async Task ReconcileServiceAsync((string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var cache = _cache!;
        if (cache.InferenceServices.Get(key.Namespace, key.Name) is not { } stored)
        {
            return; // deleted: its objects are owned by it and go with it
        }

        if (stored["metadata"]?["deletionTimestamp"] is not null)
        {
            return;
        }

        var service = stored.Deserialize<InferenceService>(KubeJson.Options)!;
        await _reconciler!.ReconcileAsync(service, cancellationToken);
    }

    private async Task ReconcileGraphAsync((string Namespace, string Name) key, CancellationToken cancellationToken)
    {
        var cache = _cache!;
        if (cache.InferenceGraphs.Get(key.Namespace, key.Name) is not { } stored || stored["metadata"]?["deletionTimestamp"] is not null)
        {
            return;
        }

        var graph = stored.Deserialize<InferenceGraph>(KubeJson.Options)!;
        var admitted = Admission.Admission.Admit(graph, _reconciler!.Runtimes);
        // A refused graph gets no address Service, so there is nothing to look up (a GET per reconcile, otherwise).
        string? addressTaken = admitted.Accepted ? await _addresses!.TakenAsync(graph, cancellationToken) : null;
        if (admitted.Accepted && addressTaken is null)
        {
            await _addresses!.EnsureAsync(graph, cancellationToken);
        }

        var status = GraphStatuses.Of(
            admitted,
            name => cache.InferenceServices.Get(key.Namespace, name)?.Deserialize<InferenceService>(KubeJson.Options),
            graph.Status,
            _time.GetUtcNow(),
            new PlannerOptions(_options.Domain),
            addressTaken);
        var written = JsonSerializer.SerializeToNode(status, KubeJson.Options);
        if (JsonNode.DeepEquals(written, stored["status"]))
        {
            return;
        }

        await _api.ApplyStatusAsync(Resources.InferenceGraphs, new JsonObject
        {
            ["apiVersion"] = InferenceGraph.ApiVersionValue,
            ["kind"] = InferenceGraph.KindValue,
            ["metadata"] = new JsonObject { ["name"] = key.Name, ["namespace"] = key.Namespace },
            ["status"] = written,
        }, cancellationToken);
        if (StatusEvents.AddressTaken(graph.Status?.Conditions, status.Conditions) is { } taken)
        {
            await _events!.RecordAsync(stored, taken, cancellationToken);
        }
    }

    /// <summary>An InferenceService changed: reconcile it unless only its status did; graphs of its namespace follow its status.</summary>
    private void OnService(InformerEvent change)
    {
        var key = Key(change.Object);
        if (change.Old is null || change.New is null || Intent(change.Old) != Intent(change.New))
        {
            _services.Add(key);
        }

        foreach (var graph in _cache!.InferenceGraphs.Items.Where(g => ClusterCache.Namespace(g) == key.Namespace))
        {
            EnqueueGraph(graph);
        }
    }

    /// <summary>A revision's Deployment or one of its pods changed: its InferenceService has something new to observe.</summary>
    private void OnOwned(InformerEvent change)
    {
        if (ClusterCache.Label(change.Object, RevisionLabels.InferenceService) is { } service)
        {
            _services.Add((ClusterCache.Namespace(change.Object), service));
        }
    }

    /// <summary>
    /// A cluster-local name (the Service <c>{name}</c>) came, changed or went: the InferenceService and the graph of that
    /// name make it again, or report, or stop reporting, that the other one holds it.
    /// </summary>
    private void OnAddress(InformerEvent change)
    {
        if (ClusterAddresses.AddressOf(change.Object) is { } name)
        {
            var key = (ClusterCache.Namespace(change.Object), name);
            _services.Add(key);
            _graphs.Add(key);
        }
    }

    /// <summary>Runtimes came, changed or went: selection may differ for every InferenceService.</summary>
    private void OnRuntimes()
    {
        var cache = _cache!;
        if (!cache.ServingRuntimes.Synced.IsCompleted || !cache.ClusterServingRuntimes.Synced.IsCompleted)
        {
            return;
        }

        var runtimes = cache.ServingRuntimes.Items.Select(r => (IKubeObject)r.Deserialize<ServingRuntime>(KubeJson.Options)!)
            .Concat(cache.ClusterServingRuntimes.Items.Select(r => (IKubeObject)r.Deserialize<ClusterServingRuntime>(KubeJson.Options)!));
        bool changed;
        lock (_runtimesLock)
        {
            changed = _reconciler!.SetRuntimes(runtimes);
        }

        if (changed)
        {
            foreach (var item in cache.InferenceServices.Items)
            {
                _services.Add(Key(item));
            }
        }
    }

    private void EnqueueGraph(JsonObject graph) => _graphs.Add(Key(graph));

    /// <summary>What a user declared: a change here is a change to reconcile (a status write alone changes none of it).</summary>
    private static string Intent(JsonObject value) =>
        new JsonObject
        {
            ["spec"] = value["spec"]?.DeepClone(),
            ["labels"] = value["metadata"]?["labels"]?.DeepClone(),
            ["annotations"] = value["metadata"]?["annotations"]?.DeepClone(),
            ["generation"] = value["metadata"]?["generation"]?.DeepClone(),
            ["deletionTimestamp"] = value["metadata"]?["deletionTimestamp"]?.DeepClone(),
        }.ToJsonString();

    private static (string Namespace, string Name) Key(JsonObject value) => (ClusterCache.Namespace(value), ClusterCache.Name(value));

    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message = "keda.sh/v1alpha1 ScaledObjects are not served: install KEDA's CRDs; serverless revisions cannot scale until then (restart the controller after installing)")]
    private static partial void LogNoKeda(ILogger logger);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Information, Message = "caches synced: {Services} InferenceServices, {Graphs} InferenceGraphs")]
    private static partial void LogSynced(ILogger logger, int services, int graphs);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Error, Message = "reconciling {Object} failed; retrying in {Seconds:0.#} s")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string @object, double seconds);
}
