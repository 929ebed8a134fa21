using Serving.Gateway.Proxy.Http1;

namespace Serving.Gateway.Balancing;

/// <summary>
/// One replica of a revision, its in-flight count and its keep-alive connections. The object outlives routing
/// snapshots (it is reused while the address stays), so the count stays right across endpoint updates; it is
/// disposed (its idle connections closed) when its revision stops routing to it.
/// </summary>
public sealed class Replica(string address) : IDisposable
{
    private int _inFlight;
    private volatile bool _ready;

    /// <summary>Base address with no trailing slash, e.g. <c>http://127.0.0.1:9000</c>.</summary>
    public string Address { get; } = address.TrimEnd('/');

    /// <summary>Pooled connections for the direct forwarding path; null when the address is not plain <c>http://host:port</c>.</summary>
    internal ReplicaConnections? Connections { get; } = ReplicaConnections.For(address);

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

    public void Dispose() => Connections?.Dispose();
}
