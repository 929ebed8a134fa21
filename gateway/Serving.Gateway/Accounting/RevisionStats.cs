namespace Serving.Gateway.Accounting;

/// <summary>
/// A revision's load as the autoscaler sees it: every admitted request counts from arrival to completion,
/// time spent held by the activator included.
/// </summary>
public sealed class RevisionStats
{
    private int _concurrency;
    private int _held;
    private long _arrivals;

    /// <summary>Requests in flight or held right now.</summary>
    public int Concurrency => Volatile.Read(ref _concurrency);

    /// <summary>Requests held by the activator right now.</summary>
    public int Held => Volatile.Read(ref _held);

    /// <summary>Requests admitted since start (monotonic; rates come from differences).</summary>
    public long Arrivals => Interlocked.Read(ref _arrivals);

    internal void Arrive()
    {
        Interlocked.Increment(ref _arrivals);
        Interlocked.Increment(ref _concurrency);
    }

    internal void Depart() => Interlocked.Decrement(ref _concurrency);

    internal void Hold() => Interlocked.Increment(ref _held);

    internal void Unhold() => Interlocked.Decrement(ref _held);
}
