using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// The idle keep-alive connections to one replica (last in, first out, so a few warm connections carry the load) and
/// how to open a new one. Owned by the replica: when the replica leaves routing the pool is disposed, its idle
/// connections close, and connections still carrying a request close when they come back. Every few seconds the
/// heartbeat trims idle connections past <see cref="IdleTimeout"/> or that the replica closed, so none linger
/// half-closed under the warm ones.
/// </summary>
internal sealed class ReplicaConnections : IDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>An idle connection older than this is closed instead of reused (the replica may have dropped it).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private const int MaxIdle = 512;

    private static readonly ConcurrentDictionary<ReplicaConnections, byte> Pools = new();

    private readonly Lock _lock = new();
    private readonly Stack<ReplicaConnection> _idle = new(); // a locked stack: ConcurrentStack allocates a node per push

    private readonly EndPoint _endpoint;
    private bool _disposed;

    private ReplicaConnections(EndPoint endpoint, string authority)
    {
        _endpoint = endpoint;
        Authority = authority;
        Pools.TryAdd(this, 0);
    }

    /// <summary>The replica's <c>host:port</c>: the Host header it gets when the client sent none.</summary>
    public string Authority { get; }

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
    public ReplicaConnection? TryRent()
    {
        long now = Environment.TickCount64;
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

    /// <summary>Closes idle connections of every pool that are past <see cref="IdleTimeout"/> or that the replica closed.</summary>
    internal static void TrimAll(long now)
    {
        foreach (var (pool, _) in Pools)
        {
            pool.Trim(now);
        }
    }

    public async ValueTask<ReplicaConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        // A name may resolve to either family: a dual-mode socket takes both.
        var socket = _endpoint is IPEndPoint ip ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp) : new Socket(SocketType.Stream, ProtocolType.Tcp);
        socket.NoDelay = true;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await socket.ConnectAsync(_endpoint, timeout.Token);
            return new ReplicaConnection(socket);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new IOException($"connecting to {Authority} timed out after {ConnectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Takes back a connection whose last response was read to its end and that the replica keeps open.</summary>
    public void Return(ReplicaConnection connection)
    {
        connection.Reused = true;
        connection.LastUsed = Environment.TickCount64;
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

    public void Dispose()
    {
        ReplicaConnection[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        Pools.TryRemove(this, out _);
        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }

    /// <summary>Young enough, and the replica neither sent anything nor closed while it was idle.</summary>
    private static bool IsReusable(ReplicaConnection connection, long now) =>
        now - connection.LastUsed < (long)IdleTimeout.TotalMilliseconds && !connection.IsStale;

    private void Trim(long now)
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
}
