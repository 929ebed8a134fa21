using System.Collections.Concurrent;

namespace Serving.Scaler.Feed;

/// <summary>
/// The feed within one process (the gateway and the scaler hosted together, no Redis): the same records and time to
/// live as <see cref="RedisMetricsStore"/>, kept in a dictionary. Activation events reach subscribers synchronously.
/// </summary>
public sealed class InMemoryMetricsStore(TimeProvider time) : IMetricsStore
{
    private readonly ConcurrentDictionary<string, (ReplicaReport Report, DateTimeOffset Expires)> _reports = new(StringComparer.Ordinal);
    private volatile Action<RevisionId>[] _subscribers = [];

    public InMemoryMetricsStore()
        : this(TimeProvider.System)
    {
    }

    public Task PublishAsync(ReplicaReport report, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        _reports[report.Replica] = (report, time.GetUtcNow() + ttl);
        return Task.CompletedTask;
    }

    public Task ActivateAsync(RevisionId revision, CancellationToken cancellationToken)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber(revision);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ReplicaReport>> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var live = new List<ReplicaReport>(_reports.Count);
        foreach (var (replica, entry) in _reports)
        {
            if (entry.Expires > now)
            {
                live.Add(entry.Report);
            }
            else
            {
                _reports.TryRemove(new KeyValuePair<string, (ReplicaReport, DateTimeOffset)>(replica, entry));
            }
        }

        return Task.FromResult<IReadOnlyList<ReplicaReport>>(live);
    }

    public Task SubscribeAsync(Action<RevisionId> onActivation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onActivation);
        lock (_reports)
        {
            if (!_subscribers.Contains(onActivation))
            {
                _subscribers = [.. _subscribers, onActivation];
            }
        }

        return Task.CompletedTask;
    }
}
