namespace Serving.Scaler.Feed;

/// <summary>
/// The gateway's end of the feed. Implementations fail by throwing; the gateway's publisher logs and retries, and
/// routing never waits on it.
/// </summary>
public interface IMetricsWriter
{
    /// <summary>Writes a replica's report, replacing its previous one; it counts for <paramref name="ttl"/>.</summary>
    Task PublishAsync(ReplicaReport report, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Announces that a request is waiting for <paramref name="revision"/> (no free replica).</summary>
    Task ActivateAsync(RevisionId revision, CancellationToken cancellationToken);
}

/// <summary>The scaler's end of the feed.</summary>
public interface IMetricsReader
{
    /// <summary>Every report whose time to live has not run out.</summary>
    Task<IReadOnlyList<ReplicaReport>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts delivering activation events to <paramref name="onActivation"/> (called from any thread; must be quick).
    /// Throws when the store cannot be reached; call again to retry. Calling it again after it succeeded does nothing.
    /// </summary>
    Task SubscribeAsync(Action<RevisionId> onActivation, CancellationToken cancellationToken);
}

/// <summary>
/// Both ends of the feed in one type, so that the record cannot drift between writer and reader: Redis across
/// processes (<see cref="RedisMetricsStore"/>), memory within one (<see cref="InMemoryMetricsStore"/>).
/// </summary>
public interface IMetricsStore : IMetricsWriter, IMetricsReader;
