using System.Collections.Concurrent;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// The direct path's clock, one per gateway: a timer on the gateway's <see cref="TimeProvider"/> that checks the
/// deadlines of the requests its connections carry (as Kestrel's heartbeat does: a request pays two field writes for
/// its timeout instead of timer operations) and, every few seconds, trims idle connections. Per instance so that
/// tests run its timeouts in virtual time and two gateways in one process do not share it.
/// </summary>
internal sealed class ConnectionHeartbeat : IDisposable
{
    /// <summary>How often deadlines are checked: a request times out up to this much after its deadline.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<ReplicaConnection, byte> _open = new();
    private readonly ConcurrentDictionary<ReplicaConnections, byte> _pools = new();
    private readonly ITimer _timer;
    private int _beats;

    public ConnectionHeartbeat(TimeProvider time)
    {
        Time = time;
        _timer = time.CreateTimer(static state => ((ConnectionHeartbeat)state!).Beat(), this, Period, Period);
    }

    public TimeProvider Time { get; }

    /// <summary>Now, in <see cref="TimeProvider.GetTimestamp"/> units.</summary>
    public long Now => Time.GetTimestamp();

    /// <summary>A span in timestamp units.</summary>
    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);

    public void Track(ReplicaConnection connection) => _open.TryAdd(connection, 0);

    public void Untrack(ReplicaConnection connection) => _open.TryRemove(connection, out _);

    public void Track(ReplicaConnections pool) => _pools.TryAdd(pool, 0);

    public void Untrack(ReplicaConnections pool) => _pools.TryRemove(pool, out _);

    public void Dispose() => _timer.Dispose();

    private void Beat()
    {
        long now = Now;
        foreach (var (connection, _) in _open)
        {
            connection.CheckDeadline(now);
        }

        if (++_beats % 16 == 0)
        {
            foreach (var (pool, _) in _pools)
            {
                pool.Trim(now); // every 4 s: idle connections past their time, or that the replica closed
            }
        }
    }
}
