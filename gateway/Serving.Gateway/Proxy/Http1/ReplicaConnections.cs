using System.Net;
using System.Net.Sockets;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// The keep-alive connections to one replica: the idle ones (last in, first out, so a few warm connections carry the
/// load), how to open a new one, and the bound on how many may be open at once. At the bound a request waits for a
/// connection to come back (it is handed over at once) or for one to close (its slot is handed over), in arrival order.
/// Owned by the replica: when the replica leaves routing the pool is disposed, its idle connections close, and
/// connections still carrying a request close when they come back. The gateway's <see cref="ConnectionHeartbeat"/>
/// trims idle connections past <see cref="IdleTimeout"/> or that the replica closed, so none linger half-closed.
/// </summary>
internal sealed class ReplicaConnections : IDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>An idle connection older than this is closed instead of reused (the replica may have dropped it).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private const int MaxIdle = 512;

    private readonly Lock _lock = new();
    private readonly Stack<ReplicaConnection> _idle = new(); // a locked stack: ConcurrentStack allocates a node per push
    private readonly Queue<TaskCompletionSource<ReplicaConnection?>> _waiters = new();

    private readonly EndPoint _endpoint;
    private ConnectionHeartbeat? _heartbeat;
    private int _open; // connections holding a slot: idle, carrying a request, or connecting
    private bool _disposed;

    private ReplicaConnections(EndPoint endpoint, string authority)
    {
        _endpoint = endpoint;
        Authority = authority;
    }

    /// <summary>The replica's <c>host:port</c>: the Host header it gets when the client sent none.</summary>
    public string Authority { get; }

    /// <summary>Connections open (or opening) now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>A pool for a plain <c>http://host:port</c> base address with no path; null for anything else.</summary>
    public static ReplicaConnections? For(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            return null;
        }

        EndPoint endpoint = IPAddress.TryParse(uri.IdnHost, out var ip) ? new IPEndPoint(ip, uri.Port) : new DnsEndPoint(uri.IdnHost, uri.Port);
        return new ReplicaConnections(endpoint, uri.Authority);
    }

    /// <summary>An idle connection, or null when there is none to reuse.</summary>
    public ReplicaConnection? TryRent(ConnectionHeartbeat heartbeat)
    {
        Attach(heartbeat);
        long now = heartbeat.Now;
        while (true)
        {
            ReplicaConnection? connection;
            lock (_lock)
            {
                if (!_idle.TryPop(out connection))
                {
                    return null;
                }
            }

            if (IsReusable(connection, now))
            {
                return connection;
            }

            connection.Dispose();
        }
    }

    /// <summary>
    /// A new connection, or at the bound of <paramref name="limit"/> open connections the first one another request gives
    /// back (then a reused one), waiting at most <paramref name="wait"/>.
    /// </summary>
    public async ValueTask<ReplicaConnection> ConnectAsync(ConnectionHeartbeat heartbeat, int limit, TimeSpan wait, CancellationToken cancellationToken)
    {
        Attach(heartbeat);
        TaskCompletionSource<ReplicaConnection?>? waiter = null;
        lock (_lock)
        {
            if (_open < limit)
            {
                _open++;
            }
            else
            {
                waiter = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Enqueue(waiter);
            }
        }

        if (waiter is not null && await WaitAsync(waiter, heartbeat.Time, limit, wait, cancellationToken) is { } handedOver)
        {
            return handedOver;
        }

        // A slot is ours: open the connection in it.
        var socket = _endpoint is IPEndPoint ip ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout, heartbeat.Time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await socket.ConnectAsync(_endpoint, linked.Token);
            return new ReplicaConnection(socket, this, heartbeat);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            Released();
            throw new IOException($"connecting to {Authority} timed out after {ConnectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            Released();
            throw;
        }
    }

    /// <summary>Takes back a connection whose last response was read to its end and that the replica keeps open.</summary>
    public void Return(ReplicaConnection connection)
    {
        connection.Reused = true;
        connection.LastUsed = connection.Heartbeat.Now;
        lock (_lock)
        {
            while (!_disposed && _waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(connection))
                {
                    return; // handed over: its pending read would be the next request's anyway
                }
            }
        }

        if (connection.StartIdleRead())
        {
            lock (_lock)
            {
                if (!_disposed && _idle.Count < MaxIdle)
                {
                    _idle.Push(connection);
                    return;
                }
            }
        }

        connection.Dispose();
    }

    /// <summary>A connection closed: its slot goes to the first waiter, if any.</summary>
    public void Released()
    {
        lock (_lock)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult(null))
                {
                    return;
                }
            }

            _open--;
        }
    }

    public void Dispose()
    {
        ReplicaConnection[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        _heartbeat?.Untrack(this);
        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }

    /// <summary>Closes idle connections past <see cref="IdleTimeout"/> or that the replica closed (called by the heartbeat).</summary>
    internal void Trim(long now)
    {
        List<ReplicaConnection>? expired = null;
        lock (_lock)
        {
            var kept = new List<ReplicaConnection>(_idle.Count);
            foreach (var connection in _idle.Reverse()) // oldest first, so the warm ones stay on top
            {
                (IsReusable(connection, now) ? kept : (expired ??= [])).Add(connection);
            }

            if (expired is null)
            {
                return;
            }

            _idle.Clear();
            foreach (var connection in kept)
            {
                _idle.Push(connection);
            }
        }

        foreach (var connection in expired)
        {
            connection.Dispose();
        }
    }

    private async ValueTask<ReplicaConnection?> WaitAsync(
        TaskCompletionSource<ReplicaConnection?> waiter, TimeProvider time, int limit, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(wait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using (linked.Token.UnsafeRegister(static state => ((TaskCompletionSource<ReplicaConnection?>)state!).TrySetCanceled(), waiter))
        {
            try
            {
                return await waiter.Task;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"all {limit} connections to {Authority} stayed busy for {wait.TotalSeconds:0.#} s");
            }
        }
    }

    private void Attach(ConnectionHeartbeat heartbeat)
    {
        if (_heartbeat is null && Interlocked.CompareExchange(ref _heartbeat, heartbeat, null) is null)
        {
            heartbeat.Track(this);
        }
    }

    /// <summary>Young enough, and the replica neither sent anything nor closed while it was idle.</summary>
    private bool IsReusable(ReplicaConnection connection, long now) =>
        now - connection.LastUsed < connection.Heartbeat.Ticks(IdleTimeout) && !connection.IsStale;
}
