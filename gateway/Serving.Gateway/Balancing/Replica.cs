namespace Serving.Gateway.Balancing;

/// <summary>
/// One replica of a revision and its in-flight count. The object outlives routing snapshots (it is reused while
/// the address stays), so the count stays right across endpoint updates.
/// </summary>
public sealed class Replica(string address)
{
    private int _inFlight;
    private volatile bool _ready;

    /// <summary>Base address with no trailing slash, e.g. <c>http://127.0.0.1:9000</c>.</summary>
    public string Address { get; } = address.TrimEnd('/');

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool Ready
    {
        get => _ready;
        internal set => _ready = value;
    }

    /// <summary>Takes a slot if fewer than <paramref name="limit"/> are in use.</summary>
    internal bool TryTake(int limit)
    {
        if (Interlocked.Increment(ref _inFlight) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    internal void Return() => Interlocked.Decrement(ref _inFlight);
}
