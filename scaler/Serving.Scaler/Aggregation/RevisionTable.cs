using System.Collections.Frozen;
using Serving.Scaler.Feed;

namespace Serving.Scaler.Aggregation;

/// <summary>
/// Every revision the gateways report, summed over replicas, as the scaler's RPCs read it. One writer (the
/// aggregator's tick) applies reports; lookups read an immutable index swapped in when revisions come or go.
/// A replica that stops reporting stops counting when its report expires; a revision nobody reports for
/// <see cref="Retention"/> is forgotten (until then it reads as idle).
/// </summary>
internal sealed class RevisionTable
{
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<RevisionId, RevisionAggregate> _revisions = [];
    private readonly Dictionary<string, ReplicaCounters> _replicas = new(StringComparer.Ordinal);
    private Index _index = Index.Empty;
    private DateTimeOffset? _lastRead;

    /// <summary>The last time reports were read successfully; null before the first read.</summary>
    public DateTimeOffset? LastRead
    {
        get
        {
            lock (_lock)
            {
                return _lastRead;
            }
        }
    }

    public int Count => Volatile.Read(ref _index).ById.Count;

    public RevisionAggregate? Find(RevisionId id) => Volatile.Read(ref _index).ById.GetValueOrDefault(id);

    public IReadOnlyList<RevisionAggregate> Find(ComponentId id) => Volatile.Read(ref _index).ByComponent.GetValueOrDefault(id) ?? [];

    /// <summary>A tick with the live reports of every gateway replica.</summary>
    public void Apply(IReadOnlyList<ReplicaReport> reports, DateTimeOffset now)
    {
        lock (_lock)
        {
            // On the scaler's first read, counters hold arrivals from before it started: they mark a revision recent (a
            // busy revision is never seen as idle after a scaler restart) and only set baselines. The first read after an
            // outage counts its deltas as arrivals (recent, too); the held windows take them as a baseline, not a burst.
            bool baseline = _lastRead is null;
            var totals = new Dictionary<RevisionId, (int Concurrency, long Arrived, bool Recent)>();
            foreach (var report in reports)
            {
                _replicas.TryGetValue(report.Replica, out var counters);
                counters ??= _replicas[report.Replica] = new ReplicaCounters();
                counters.LastSeen = now;
                foreach (var load in report.Revisions)
                {
                    // A new replica or revision counts from zero; a counter that went down restarted from zero (the
                    // gateway re-created the revision).
                    long arrived = counters.Arrivals.TryGetValue(load.Revision, out long previous) && load.Arrivals >= previous
                        ? load.Arrivals - previous
                        : load.Arrivals;
                    bool recent = baseline && arrived > 0;
                    if (baseline)
                    {
                        arrived = 0;
                    }

                    counters.Arrivals[load.Revision] = load.Arrivals;
                    var total = totals.GetValueOrDefault(load.Revision);
                    totals[load.Revision] = (
                        total.Concurrency + load.Concurrency,
                        total.Arrived + arrived,
                        total.Recent || recent);
                }
            }

            bool changed = false;
            foreach (var (id, total) in totals)
            {
                if (!_revisions.TryGetValue(id, out var revision))
                {
                    revision = _revisions[id] = new RevisionAggregate(id, now);
                    changed = true;
                }

                revision.LastSeen = now;
                revision.Record(now, total.Concurrency, total.Arrived, total.Recent);
            }

            foreach (var revision in _revisions.Values.Where(r => !totals.ContainsKey(r.Id)).ToList())
            {
                if (now - revision.LastSeen > Retention)
                {
                    _revisions.Remove(revision.Id);
                    changed = true;
                }
                else
                {
                    revision.Record(now, 0, 0); // no live replica reports it: idle
                }
            }

            foreach (var (replica, counters) in _replicas.Where(r => now - r.Value.LastSeen > Retention).ToList())
            {
                _replicas.Remove(replica);
            }

            _lastRead = now;
            if (changed)
            {
                Reindex();
            }
        }
    }

    /// <summary>
    /// A tick without reports (the feed is unreachable): concurrency, the rate and the activity latch stand where they
    /// were (<see cref="RevisionAggregate.Repeat"/>).
    /// </summary>
    public void Hold(DateTimeOffset now)
    {
        lock (_lock)
        {
            foreach (var revision in _revisions.Values)
            {
                revision.Repeat(now);
            }
        }
    }

    /// <summary>A gateway holds a request for <paramref name="id"/>; a revision not reported yet becomes known.</summary>
    public RevisionAggregate Activate(RevisionId id, DateTimeOffset now)
    {
        var revision = Find(id);
        if (revision is null)
        {
            lock (_lock)
            {
                if (!_revisions.TryGetValue(id, out revision))
                {
                    revision = _revisions[id] = new RevisionAggregate(id, now);
                    Reindex();
                }
            }
        }

        revision.Activate(now);
        return revision;
    }

    private void Reindex() => Volatile.Write(ref _index, new Index(
        _revisions.ToFrozenDictionary(),
        _revisions.Values.GroupBy(r => r.Id.ComponentId).ToFrozenDictionary(g => g.Key, g => g.OrderBy(r => r.Id.Revision, StringComparer.Ordinal).ToArray())));

    private sealed class ReplicaCounters
    {
        public Dictionary<RevisionId, long> Arrivals { get; } = [];

        public DateTimeOffset LastSeen { get; set; }
    }

    private sealed record Index(FrozenDictionary<RevisionId, RevisionAggregate> ById, FrozenDictionary<ComponentId, RevisionAggregate[]> ByComponent)
    {
        public static readonly Index Empty = new(FrozenDictionary<RevisionId, RevisionAggregate>.Empty, FrozenDictionary<ComponentId, RevisionAggregate[]>.Empty);
    }
}
