using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Serving.Kubernetes.Client;

namespace Serving.Kubernetes.Informers;

/// <summary>What changed in an informer's cache: the object before (null when added) and after (null when deleted).</summary>
public sealed record InformerEvent(ResourceType Type, JsonObject? Old, JsonObject? New)
{
    public JsonObject Object => New ?? Old!;
}

/// <summary>
/// A cache of one kind kept current by list + watch, as client-go's reflector and informer do (KubernetesClient has the
/// watch, not the cache): list, then watch from the list's resource version with bookmarks; a watch that ends is
/// resumed from the last version seen; 410 Gone lists again (and reports what changed meanwhile, deletions included);
/// any other failure is retried after a backoff with jitter. Objects in the cache are shared: never mutate them.
/// </summary>
public sealed partial class Informer
{
    private readonly KubeApi _api;
    private readonly string? _namespace;
    private readonly string? _labelSelector;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string Namespace, string Name), JsonObject> _cache = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Informer(KubeApi api, ResourceType type, string? @namespace, string? labelSelector, TimeProvider time, ILogger logger)
    {
        _api = api;
        Type = type;
        _namespace = @namespace;
        _labelSelector = labelSelector;
        _time = time;
        _logger = logger;
    }

    public ResourceType Type { get; }

    /// <summary>Raised on the informer's thread for every change of the cache.</summary>
    public event Action<InformerEvent>? Changed;

    /// <summary>Completes once the first list is in the cache.</summary>
    public Task Synced => _synced.Task;

    /// <summary>How long a watch runs before the server ends it and it is resumed (client-go picks 5-10 min).</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Lists and watches only the objects that match (<c>metadata.name=NAME</c>: one object, which RBAC can grant by
    /// <c>resourceNames</c>); null: all.
    /// </summary>
    public string? FieldSelector { get; init; }

    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyCollection<JsonObject> Items => [.. _cache.Values];

    public JsonObject? Get(string? @namespace, string name) => _cache.GetValueOrDefault((@namespace ?? "", name));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? version = null;
        var backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                version ??= await ListAsync(cancellationToken);
                await foreach (var change in _api.WatchAsync(Type, _namespace, version, _labelSelector, FieldSelector, WatchTimeout, cancellationToken))
                {
                    version = Apply(change) ?? version;
                    backoff = MinBackoff;
                }
            }
            catch (KubeApiException e) when (e.Gone)
            {
                LogExpired(_logger, Type.ToString());
                version = null; // list again
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Reconnect with backoff and jitter, so that many watchers do not come back at the same moment.
                var wait = TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.8 + (0.4 * Random.Shared.NextDouble())));
                LogWatchFailed(_logger, Type.ToString(), wait.TotalSeconds, e.Message);
                try
                {
                    await Task.Delay(wait, _time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, MaxBackoff.TotalMilliseconds));
            }
        }
    }

    /// <summary>Lists, replaces the cache, reports the differences, and returns the list's resource version.</summary>
    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _api.ListAsync(Type, _namespace, _labelSelector, FieldSelector, cancellationToken);
        var seen = new HashSet<(string, string)>();
        foreach (var item in list["items"]?.AsArray() ?? [])
        {
            if (item is JsonObject value)
            {
                // Items of a list carry no apiVersion/kind; keep them whole like a watched object.
                value["apiVersion"] ??= Type.ApiVersion;
                value["kind"] ??= Type.Kind;
                var key = Key(value);
                seen.Add(key);
                var old = _cache.GetValueOrDefault(key);
                _cache[key] = value;
                if (old is null || Version(old) != Version(value))
                {
                    Changed?.Invoke(new InformerEvent(Type, old, value));
                }
            }
        }

        foreach (var (key, old) in _cache.Where(c => !seen.Contains(c.Key)).ToList())
        {
            _cache.TryRemove(key, out _);
            Changed?.Invoke(new InformerEvent(Type, old, null));
        }

        _synced.TrySetResult();
        return list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
    }

    /// <summary>Applies one watch event; returns the resource version it carries.</summary>
    private string? Apply(WatchEvent change)
    {
        var value = change.Object;
        string? version = Version(value);
        if (change.Type == "BOOKMARK")
        {
            return version;
        }

        var key = Key(value);
        var old = _cache.GetValueOrDefault(key);
        if (change.Type == "DELETED")
        {
            _cache.TryRemove(key, out _);
            Changed?.Invoke(new InformerEvent(Type, old ?? value, null));
        }
        else
        {
            _cache[key] = value;
            Changed?.Invoke(new InformerEvent(Type, old, value));
        }

        return version;
    }

    private static (string, string) Key(JsonObject value) =>
        (value["metadata"]?["namespace"]?.GetValue<string>() ?? "", value["metadata"]?["name"]?.GetValue<string>() ?? "");

    private static string? Version(JsonObject value) => value["metadata"]?["resourceVersion"]?.GetValue<string>();

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "{Type}: watch expired (410 Gone), listing again")]
    private static partial void LogExpired(ILogger logger, string type);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "{Type}: watch failed, retrying in {Seconds:0.#} s: {Error}")]
    private static partial void LogWatchFailed(ILogger logger, string type, double seconds, string error);
}
