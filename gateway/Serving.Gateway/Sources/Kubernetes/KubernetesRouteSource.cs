using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Gateway.Routing;
using Serving.Kubernetes.Client;
using Serving.Kubernetes.Informers;

namespace Serving.Gateway.Sources.Kubernetes;

/// <summary>
/// The gateway's routes from a Kubernetes API server (cluster mode): InferenceServices (the status the controller wrote),
/// InferenceGraphs, and the EndpointSlices of the revisions' Services (the ready pods' addresses), each kept current by an
/// informer. Any change marks the routes stale and one loop rebuilds them at once (changes that arrive meanwhile are taken
/// together), so an endpoint that stops being ready leaves routing as soon as the watch delivers its slice. Reads only:
/// get, list and watch on those three kinds. Broken watches are resumed by the informers (the last routes keep serving);
/// an API server that does not answer discovery at start, or a loop that ends on its own, stops the gateway (exit code 1).
/// </summary>
internal sealed partial class KubernetesRouteSource : BackgroundService, IRouteSource
{
    private readonly KubeApi _api;
    private readonly string? _namespace;
    private readonly string _domain;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly InMemoryRouteSource _current = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<bool> _stale = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Parsed once per object version: the informers hand out a new JsonObject for every change.
    private readonly ConditionalWeakTable<JsonObject, object> _parsed = [];
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public KubernetesRouteSource(KubeApi api, string? @namespace, string domain, TimeProvider time, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        _api = api;
        _namespace = @namespace;
        _domain = domain;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<KubernetesRouteSource>();
        _lifetime = lifetime;
    }

    public RouteSnapshot Snapshot => _current.Snapshot;

    public IChangeToken ChangeToken => _current.ChangeToken;

    /// <summary>Completes once every informer has listed and the first routes are handed over (readiness).</summary>
    public Task Synced => _synced.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
        catch (Exception e)
        {
            // Never a gateway that keeps serving routes it can no longer follow.
            LogFailed(_logger, e);
            Environment.ExitCode = 1;
            _lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var sliceType = await EndpointSlices.ChooseAsync(_api.ServesAsync, cancellationToken);
        LogWatching(_logger, _api.BaseUri.ToString(), _namespace ?? "all namespaces", sliceType.ToString());
        Informer Watch(ResourceType type, string? selector = null) => new(_api, type, _namespace, selector, _time, _loggers.CreateLogger<Informer>());
        var services = Watch(Resources.InferenceServices);
        var graphs = Watch(Resources.InferenceGraphs);
        var slices = Watch(sliceType, EndpointSlices.Selector);
        Informer[] informers = [services, graphs, slices];
        foreach (var informer in informers)
        {
            informer.Changed += _ => _stale.Writer.TryWrite(true);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = informers.Select(i => i.RunAsync(stop.Token)).ToList();
        try
        {
            await Task.WhenAll(informers.Select(i => i.Synced)).WaitAsync(cancellationToken);
            Publish(services, graphs, slices);
            LogSynced(_logger, services.Items.Count, graphs.Items.Count, slices.Items.Count);
            _synced.TrySetResult();
            var rebuilding = Task.Run(
                async () =>
                {
                    await foreach (bool _ in _stale.Reader.ReadAllAsync(stop.Token))
                    {
                        Publish(services, graphs, slices);
                    }
                },
                stop.Token);
            var ended = await Task.WhenAny(running.Append(rebuilding));
            cancellationToken.ThrowIfCancellationRequested();
            await ended; // a failure says what failed
            throw new InvalidOperationException("a watch of the route source ended on its own");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Builds the routes from what the informers hold now and hands them to the gateway.</summary>
    private void Publish(Informer services, Informer graphs, Informer slices)
    {
        var revisions = EndpointSlices.ByRevision(slices.Items.Select(s => Parse(s, EndpointSlices.Read)).OfType<RevisionSlice>());
        var isvcs = services.Items.Select(s => Parse(s, Deserialize<InferenceService>)).OfType<InferenceService>().ToList();
        foreach (var isvc in isvcs)
        {
            CheckUrl(isvc);
        }

        var snapshot = ClusterRoutes.Build(isvcs, graphs.Items.Select(g => Parse(g, Deserialize<InferenceGraph>)).OfType<InferenceGraph>(), revisions);
        _current.Update(snapshot);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            LogPublished(_logger, snapshot.Services.Count, snapshot.Graphs.Count, revisions.Values.Sum(r => r.Ready.Count));
        }
    }

    private T? Parse<T>(JsonObject value, Func<JsonObject, T?> parse)
        where T : class
    {
        if (_parsed.TryGetValue(value, out object? known))
        {
            return known as T;
        }

        T? parsed;
        try
        {
            parsed = parse(value);
        }
        catch (JsonException e)
        {
            // The API server checked it against the CRD schema; what still does not read is skipped, once said.
            LogUnreadable(_logger, value["kind"]?.ToString() ?? "object", $"{value["metadata"]?["namespace"]}/{value["metadata"]?["name"]}", e.Message);
            parsed = null;
        }

        _parsed.AddOrUpdate(value, (object?)parsed ?? DBNull.Value); // unreadable: remembered too, so said once
        return parsed;
    }

    private static T? Deserialize<T>(JsonObject value)
        where T : class => value.Deserialize<T>(KubeJson.Options);

    /// <summary>A status URL on another domain than the gateway's means the controller and the gateway disagree on hosts: said once.</summary>
    private void CheckUrl(InferenceService isvc)
    {
        if (isvc.Status?.Url is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return;
        }

        var key = new Model.ServiceKey(isvc.Metadata.NamespaceOrDefault(), isvc.Metadata.Name ?? "");
        string expected = HostNames.Service(key, _domain);
        if (!string.Equals(uri.Host, expected, StringComparison.OrdinalIgnoreCase))
        {
            lock (_warned)
            {
                if (_warned.Add($"{key}|{uri.Host}"))
                {
                    LogOtherDomain(_logger, key.ToString(), url, expected);
                }
            }
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Routes from the Kubernetes API at {Server} ({Namespace}): InferenceServices, InferenceGraphs and {Slices}")]
    private static partial void LogWatching(ILogger logger, string server, string @namespace, string slices);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Routes synced: {Services} InferenceServices, {Graphs} InferenceGraphs, {Slices} EndpointSlices")]
    private static partial void LogSynced(ILogger logger, int services, int graphs, int slices);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "{Kind} {Object} cannot be read and is not routed: {Error}")]
    private static partial void LogUnreadable(ILogger logger, string kind, string @object, string error);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "InferenceService {Service} has the URL {Url}, but this gateway serves it as {Expected}: give the gateway and the controller the same --domain")]
    private static partial void LogOtherDomain(ILogger logger, string service, string url, string expected);

    [LoggerMessage(EventId = 45, Level = LogLevel.Debug, Message = "Routes handed over: {Services} InferenceServices, {Graphs} InferenceGraphs, {Replicas} ready replicas")]
    private static partial void LogPublished(ILogger logger, int services, int graphs, int replicas);

    [LoggerMessage(EventId = 44, Level = LogLevel.Critical, Message = "The Kubernetes route source failed: stopping the gateway")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
