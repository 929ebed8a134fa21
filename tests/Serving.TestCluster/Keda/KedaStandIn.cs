using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.TestCluster.Kube;

namespace Serving.TestCluster.Keda;

/// <summary>
/// <b>A stand-in for KEDA, for tests only</b> (KEDA cannot be built or run here). It follows KEDA's documented behaviour for
/// <c>external</c> and <c>external-push</c> triggers (shared/reference/autoscaling.md §1.3–1.5) on the real ScaledObjects
/// of a real API server and a real external scaler over gRPC: it watches <c>keda.sh/v1alpha1</c> ScaledObjects (list +
/// watch, resumed, relisted on 410 Gone, reconnected with jittered backoff) and runs a <see cref="ScaledObjectWorker"/> per
/// object, which also does the arithmetic of the HPA KEDA would create. Replicas are written through the target's
/// <c>/scale</c> subresource. See the folder's README for what it leaves out.
/// </summary>
public sealed partial class KedaStandIn : IAsyncDisposable
{
    public const string Group = "keda.sh";
    public const string Version = "v1alpha1";
    public const string Plural = "scaledobjects";

    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly IKubernetes _client;
    private readonly KedaStandInOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ScalerConnections _connections;
    private readonly ConcurrentDictionary<string, ScaledObjectWorker> _workers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ScaleRecord> _history = [];
    private readonly ActivityCounts _counts = new();
    private Task _watch = Task.CompletedTask;

    private KedaStandIn(IKubernetes client, KedaStandInOptions options, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<KedaStandIn>();
        _connections = new ScalerConnections(options.TrustedCertificates);
    }

    /// <summary>Ends only when the stand-in is disposed, or faulted if its watch fails for good.</summary>
    public Task Completion => _watch;

    /// <summary>Every write to a scale subresource so far, in order.</summary>
    public IReadOnlyList<ScaleRecord> History
    {
        get
        {
            lock (_history)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>How many times a <c>StreamIsActive</c> stream of the ScaledObject (<c>namespace/name</c>) has opened.</summary>
    public int StreamsOpened(string scaledObject) => _counts.StreamsOpened(scaledObject);

    /// <summary>How many scale-loop polls of the ScaledObject (<c>namespace/name</c>) have finished, failed triggers included.</summary>
    public int Polls(string scaledObject) => _counts.Polls(scaledObject);

    /// <summary>The ScaledObjects (<c>namespace/name</c>) it acts on now.</summary>
    public IReadOnlyCollection<string> ScaledObjects => [.. _workers.Values.Select(w => w.Spec.Key)];

    public static Task<KedaStandIn> StartAsync(IKubernetes client, KedaStandInOptions? options = null, ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var standIn = new KedaStandIn(client, options ?? new KedaStandInOptions(), loggers ?? NullLoggerFactory.Instance);
        standIn._watch = Task.Run(() => standIn.WatchAsync(standIn._stop.Token));
        return Task.FromResult(standIn);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var worker in _workers.Values)
        {
            await worker.DisposeAsync();
        }

        _workers.Clear();
        _connections.Dispose();
        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        string? resourceVersion = null;
        var backoff = MinBackoff;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var list = Json(await _client.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Version, Plural, cancellationToken: stop));
                    var items = list["items"]?.AsArray().Select(i => i!.AsObject()).ToList() ?? [];
                    await RelistAsync(items);
                    resourceVersion = list["metadata"]?["resourceVersion"]?.GetValue<string>();
                }

                bool gone = false;
                var events = _client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
                    Group, Version, Plural,
                    allowWatchBookmarks: true,
                    resourceVersion: resourceVersion,
                    timeoutSeconds: Random.Shared.Next(240, 360),
                    onError: e => gone |= e.Is(HttpStatusCode.Gone) || e is KubernetesException { Status.Code: 410 },
                    cancellationToken: stop);
                await foreach (var (type, item) in events)
                {
                    backoff = MinBackoff;
                    var value = Json(item);
                    resourceVersion = value["metadata"]?["resourceVersion"]?.GetValue<string>() ?? resourceVersion;
                    switch (type)
                    {
                        case WatchEventType.Added or WatchEventType.Modified:
                            await UpsertAsync(value);
                            break;
                        case WatchEventType.Deleted:
                            await RemoveAsync(value["metadata"]?["uid"]?.GetValue<string>() ?? "");
                            break;
                    }
                }

                if (gone)
                {
                    resourceVersion = null;
                }
            }
            catch (Exception e) when (e.Is(HttpStatusCode.Gone))
            {
                resourceVersion = null;
            }
            catch (Exception e) when (ApiErrors.IsTransient(e) && !stop.IsCancellationRequested)
            {
                LogWatchFailed(_logger, backoff.TotalMilliseconds, e.Message);
                await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, (int)backoff.TotalMilliseconds)), _options.Time, stop)
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RelistAsync(List<JsonObject> items)
    {
        var seen = items.Select(i => i["metadata"]?["uid"]?.GetValue<string>() ?? "").ToHashSet(StringComparer.Ordinal);
        foreach (string uid in _workers.Keys.Where(uid => !seen.Contains(uid)).ToList())
        {
            await RemoveAsync(uid);
        }

        foreach (var item in items)
        {
            await UpsertAsync(item);
        }
    }

    private async Task UpsertAsync(JsonObject scaledObject)
    {
        ScaledObjectSpec spec;
        try
        {
            spec = ScaledObjectSpec.Parse(scaledObject);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            LogUnreadable(_logger, e.Message);
            return;
        }

        if (_workers.TryGetValue(spec.Uid, out var worker))
        {
            await worker.UpdateAsync(spec);
            return;
        }

        worker = new ScaledObjectWorker(
            spec, _client, _connections, _options, Record, _counts, _loggers.CreateLogger<ScaledObjectWorker>());
        _workers[spec.Uid] = worker;
        LogWatching(_logger, spec.Key);
        worker.Start();
    }

    private async Task RemoveAsync(string uid)
    {
        if (_workers.TryRemove(uid, out var worker))
        {
            LogForgotten(_logger, worker.Spec.Key);
            await worker.DisposeAsync(); // KEDA deletes its HPA; the replicas stay as they are
        }
    }

    private void Record(ScaleRecord record)
    {
        lock (_history)
        {
            _history.Add(record);
        }
    }

    internal static JsonObject Json(object value) => value switch
    {
        JsonObject o => o,
        JsonElement e => JsonNode.Parse(e.GetRawText())!.AsObject(),
        _ => JsonSerializer.SerializeToNode(value)!.AsObject(),
    };

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "KEDA stand-in: acting on ScaledObject {ScaledObject}")]
    private static partial void LogWatching(ILogger logger, string scaledObject);

    [LoggerMessage(EventId = 721, Level = LogLevel.Information, Message = "KEDA stand-in: ScaledObject {ScaledObject} deleted")]
    private static partial void LogForgotten(ILogger logger, string scaledObject);

    [LoggerMessage(EventId = 722, Level = LogLevel.Warning, Message = "KEDA stand-in: watching ScaledObjects failed; again in {DelayMs} ms: {Message}")]
    private static partial void LogWatchFailed(ILogger logger, double delayMs, string message);

    [LoggerMessage(EventId = 723, Level = LogLevel.Warning, Message = "KEDA stand-in: a ScaledObject it cannot read: {Message}")]
    private static partial void LogUnreadable(ILogger logger, string message);
}
