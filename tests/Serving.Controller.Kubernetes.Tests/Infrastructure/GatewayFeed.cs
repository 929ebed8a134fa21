using Serving.Scaler.Feed;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// Publishes to Redis what one gateway replica would, through the feed's own writer (<see cref="RedisMetricsStore"/>):
/// every 100 ms a report of each revision it routes (concurrency = requests in flight or held, and its arrival count),
/// expiring after 2 s, as the gateway's <c>MetricsPublisher</c> does; an activation event when a request would be held.
/// Tests set the numbers a gateway would count instead of sending requests through one.
/// </summary>
internal sealed class GatewayFeed : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private readonly RedisMetricsStore _store;
    private readonly string _replica = $"test-gateway-{Guid.NewGuid():N}";
    private readonly Dictionary<RevisionId, (int Concurrency, long Arrivals)> _loads = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _publishing;
    private readonly List<(long Version, TaskCompletionSource Published)> _waiters = [];
    private long _version;

    public GatewayFeed(string redis, string prefix)
    {
        _store = RedisMetricsStore.Connect(new RedisFeedOptions { Endpoint = redis, Prefix = prefix, ClientName = _replica });
        _publishing = PublishAsync(_stop.Token);
    }

    /// <summary>
    /// The gateway routes <paramref name="revision"/> with <paramref name="concurrency"/> requests in flight or held; a
    /// rise counts as arrivals. Completes once a report that says so is in Redis.
    /// </summary>
    public Task SetAsync(RevisionId revision, int concurrency)
    {
        lock (_loads)
        {
            var (old, arrivals) = _loads.GetValueOrDefault(revision);
            _loads[revision] = (concurrency, arrivals + Math.Max(0, concurrency - old));
            var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((++_version, published));
            return published.Task;
        }
    }

    /// <summary>The gateway no longer routes <paramref name="revision"/> (its report stops naming it).</summary>
    public void Remove(RevisionId revision)
    {
        lock (_loads)
        {
            _loads.Remove(revision);
        }
    }

    /// <summary>A request found no ready replica of <paramref name="revision"/>: the activator's event.</summary>
    public Task ActivateAsync(RevisionId revision) => _store.ActivateAsync(revision, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _publishing;
        await _store.DisposeAsync();
        _stop.Dispose();
    }

    private async Task PublishAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                ReplicaReport report;
                long version;
                lock (_loads)
                {
                    report = new ReplicaReport(_replica, DateTimeOffset.UtcNow, [.. _loads.Select(l => new RevisionLoad(l.Key, l.Value.Concurrency, l.Value.Arrivals))]);
                    version = _version;
                }

                try
                {
                    await _store.PublishAsync(report, Ttl, stop);
                    lock (_loads)
                    {
                        foreach (var waiter in _waiters.Where(w => w.Version <= version))
                        {
                            waiter.Published.TrySetResult();
                        }

                        _waiters.RemoveAll(w => w.Version <= version);
                    }
                }
                catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
                {
                    // Redis away: the gateway fails soft and tries again next tick.
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
