using Serving.Scaler.Feed;
using Serving.Scaler.Keda;

namespace Serving.Scaler.Activity;

/// <summary>
/// Every open <c>StreamIsActive</c> stream, indexed by component, so that an activation event reaches the streams it
/// concerns at once (the push path), and each tick of the aggregator re-evaluates every stream (transitions found by
/// the samples, heartbeats).
/// </summary>
internal sealed class ActivityHub(TargetQueries queries, TimeSpan heartbeat)
{
    private readonly Lock _lock = new();
    private Dictionary<ComponentId, Watcher[]> _byComponent = [];
    private Watcher[] _all = [];

    public int Count => Volatile.Read(ref _all).Length;

    public void Add(Watcher watcher)
    {
        lock (_lock)
        {
            var next = new Dictionary<ComponentId, Watcher[]>(_byComponent);
            next[watcher.Target.Component] = [.. next.GetValueOrDefault(watcher.Target.Component) ?? [], watcher];
            Publish(next);
        }
    }

    public void Remove(Watcher watcher)
    {
        lock (_lock)
        {
            var next = new Dictionary<ComponentId, Watcher[]>(_byComponent);
            var rest = (next.GetValueOrDefault(watcher.Target.Component) ?? []).Where(w => w != watcher).ToArray();
            if (rest.Length == 0)
            {
                next.Remove(watcher.Target.Component);
            }
            else
            {
                next[watcher.Target.Component] = rest;
            }

            Publish(next);
        }
    }

    /// <summary>A gateway holds a request for <paramref name="revision"/>: its streams turn active now.</summary>
    public void Activated(RevisionId revision, DateTimeOffset now)
    {
        if (Volatile.Read(ref _byComponent).GetValueOrDefault(revision.ComponentId) is not { } watchers)
        {
            return;
        }

        foreach (var watcher in watchers)
        {
            if (watcher.Target.Revision is null || watcher.Target.Revision == revision.Revision)
            {
                watcher.Active(now);
            }
        }
    }

    /// <summary>After a tick: every stream against the latest samples. A stale or unknown target is left as it was.</summary>
    public void Evaluate(DateTimeOffset now)
    {
        foreach (var watcher in Volatile.Read(ref _all))
        {
            bool active;
            try
            {
                active = queries.IsActive(watcher.Target, now);
            }
            catch (ScalerException)
            {
                continue;
            }

            if (active)
            {
                watcher.Active(now);
            }
            else
            {
                watcher.Inactive(now, heartbeat);
            }
        }
    }

    private void Publish(Dictionary<ComponentId, Watcher[]> next)
    {
        Volatile.Write(ref _byComponent, next);
        Volatile.Write(ref _all, [.. next.Values.SelectMany(w => w)]);
    }
}
