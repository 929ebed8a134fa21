using System.Globalization;
using Serving.Scaler.Aggregation;
using Serving.Scaler.Feed;

namespace Serving.Scaler.Keda;

/// <summary>
/// Answers for one ScaledObject target from memory only (KEDA sets no deadline and holds a lock per ScaledObject while
/// it waits): the revisions it covers, whether it is active, and its metric value. Refuses to answer once the feed has
/// been unreachable for longer than <c>maxStaleness</c>, so that KEDA keeps replicas instead of trusting old numbers.
/// </summary>
internal sealed class TargetQueries(RevisionTable table, TimeProvider time, TimeSpan maxStaleness)
{
    public DateTimeOffset Now => time.GetUtcNow();

    /// <exception cref="ScalerException">Stale feed.</exception>
    public void EnsureFresh(DateTimeOffset now)
    {
        if (table.LastRead is not { } read)
        {
            throw new ScalerException(ScalerError.Stale, "no metrics have been read from the gateways' feed yet");
        }

        if (now - read > maxStaleness)
        {
            throw new ScalerException(ScalerError.Stale, string.Create(
                CultureInfo.InvariantCulture,
                $"metrics are stale: the gateways' feed was last read {(now - read).TotalSeconds:0.#} s ago (limit {maxStaleness.TotalSeconds:0.#} s)"));
        }
    }

    /// <exception cref="ScalerException">No gateway reports the target.</exception>
    public IReadOnlyList<RevisionAggregate> Revisions(ScaledObjectTarget target)
    {
        if (target.Revision is { } name)
        {
            var c = target.Component;
            return table.Find(new RevisionId(c.Namespace, c.Service, c.Component, name)) is { } revision
                ? [revision]
                : throw new ScalerException(ScalerError.UnknownTarget, table.Find(target.Component).Count > 0
                    ? $"scalerMetadata key 'revision': no gateway reports revision '{name}' of {target.Component}"
                    : $"scalerMetadata keys 'inferenceService'/'component': no gateway reports {target.Component}");
        }

        var revisions = table.Find(target.Component);
        return revisions.Count > 0
            ? revisions
            : throw new ScalerException(ScalerError.UnknownTarget, $"scalerMetadata keys 'inferenceService'/'component': no gateway reports {target.Component}");
    }

    public bool IsActive(ScaledObjectTarget target, DateTimeOffset now)
    {
        EnsureFresh(now);
        foreach (var revision in Revisions(target))
        {
            if (revision.IsActive(now, target.Grace))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Total of the metric over the target's revisions: what the HPA divides by <see cref="ScaledObjectTarget.Target"/>.</summary>
    public double Value(ScaledObjectTarget target, DateTimeOffset now)
    {
        EnsureFresh(now);
        double sum = 0;
        foreach (var revision in Revisions(target))
        {
            sum += revision.Value(target.Config, target.Target, now);
        }

        return sum;
    }
}
