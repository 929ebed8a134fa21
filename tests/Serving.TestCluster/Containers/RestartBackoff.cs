namespace Serving.TestCluster.Containers;

/// <summary>
/// The kubelet's crash-loop backoff (its flowcontrol.Backoff per container): the first restart is immediate; after
/// that a container that finished less than the current backoff ago waits out the rest, and each restart doubles the
/// backoff up to the maximum. A container quiet for twice the maximum starts over.
/// </summary>
internal sealed class RestartBackoff(TimeSpan initial, TimeSpan max)
{
    private TimeSpan? _backoff;
    private DateTimeOffset _lastUpdate;

    /// <summary>The backoff a waiting container is in (the kubelet's "back-off 20s" message).</summary>
    public TimeSpan Current => _backoff ?? initial;

    /// <summary>How long a container that finished at <paramref name="finishedAt"/> must still wait at <paramref name="now"/>.</summary>
    public TimeSpan Remaining(DateTimeOffset finishedAt, DateTimeOffset now)
    {
        if (_backoff is not { } backoff || Expired(finishedAt))
        {
            return TimeSpan.Zero;
        }

        var left = backoff - (now - finishedAt);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>Records a restart at <paramref name="now"/>.</summary>
    public void Next(DateTimeOffset now)
    {
        _backoff = _backoff is { } backoff && !Expired(now)
            ? TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, max.Ticks))
            : initial;
        _lastUpdate = now;
    }

    private bool Expired(DateTimeOffset at) => at - _lastUpdate > 2 * max;
}
