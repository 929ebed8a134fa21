using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// One keep-alive HTTP/1.1 connection to a replica: the socket, a receive buffer holding what has been read but not
/// yet consumed, the head of the response being read, and the cancellation of the request it carries.
/// <para>
/// Timeouts are deadlines checked by the gateway's <see cref="ConnectionHeartbeat"/>. The heartbeat claims an expired
/// deadline before it cancels, so a cancellation never reaches a later request on the same connection, and a
/// connection whose request timed out is never pooled. The connection holds one of its pool's slots until disposed.
/// </para>
/// <para>
/// While idle in its pool a connection keeps a zero-byte read pending (as <c>SocketsHttpHandler</c> does): bytes or
/// a close from the replica while nobody asked (a late 408, bytes beyond a response) complete it, and the connection
/// is discarded instead of handing those bytes to the next request (see <see cref="IsStale"/>). The next request awaits that same read before
/// reading its response, so it costs no extra system call.
/// </para>
/// </summary>
internal sealed class ReplicaConnection : IDisposable
{
    /// <summary>A response head must fit in the buffer; larger heads fail the request with a clear message.</summary>
    public const int BufferSize = 16 * 1024;

    private const long Claimed = -1;

    private readonly Socket _socket;
    private readonly ReplicaConnections _pool;
    private CancellationTokenSource _cancellation = new();
    private long _timeout;
    private long _deadline; // heartbeat timestamp; 0 while no request is carried; Claimed once timed out
    private ValueTask<int> _idleRead;
    private bool _idleReadPending;
    private int _disposed;

    public ReplicaConnection(Socket socket, ReplicaConnections pool, ConnectionHeartbeat heartbeat)
    {
        _socket = socket;
        _pool = pool;
        Heartbeat = heartbeat;
        heartbeat.Track(this);
    }

    public ConnectionHeartbeat Heartbeat { get; }

    public byte[] Buffer { get; } = new byte[BufferSize];

    /// <summary>The head of the response being read (reused: see <see cref="ResponseHead"/>).</summary>
    public ResponseHead Head { get; } = new();

    /// <summary>Start of the unconsumed bytes in <see cref="Buffer"/>.</summary>
    public int Start { get; set; }

    /// <summary>End of the bytes received into <see cref="Buffer"/>.</summary>
    public int End { get; set; }

    public int Buffered => End - Start;

    /// <summary>Set once the connection has carried a request: a failure before any response byte may then be retried.</summary>
    public bool Reused { get; set; }

    /// <summary>Heartbeat timestamp of when the connection last went idle.</summary>
    public long LastUsed { get; set; }

    /// <summary>The current request passed its deadline (the heartbeat cancelled it).</summary>
    public bool TimedOut => Volatile.Read(ref _deadline) == Claimed;

    /// <summary>
    /// While idle: the replica sent something or closed; the connection must not be used. The idle read's completion
    /// alone is not proof: .NET completes a zero-byte read on a readiness edge without reading, and an edge from
    /// bytes already consumed can arrive after it was started; so a completed read is confirmed with a poll (a system
    /// call only in that case).
    /// </summary>
    public bool IsStale
    {
        get
        {
            if (!_idleReadPending || !_idleRead.IsCompleted)
            {
                return false;
            }

            try
            {
                return _socket.Available > 0 || _socket.Poll(0, SelectMode.SelectRead); // bytes, or the end of the stream
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return true;
            }
        }
    }

    /// <summary>The current request's cancellation: its timeout, or the client going away.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Arms a fresh cancellation and the timeout for the next request.</summary>
    public void StartRequest(TimeSpan timeout)
    {
        if (!_cancellation.TryReset())
        {
            _cancellation.Dispose();
            _cancellation = new CancellationTokenSource();
        }

        _timeout = Heartbeat.Ticks(timeout);
        Volatile.Write(ref _deadline, Heartbeat.Now + _timeout);
    }

    /// <summary>Pushes the deadline back after the replica showed activity (YARP's activity timeout has the same meaning).</summary>
    public void Touch()
    {
        long current = Volatile.Read(ref _deadline);
        if (current > 0)
        {
            Interlocked.CompareExchange(ref _deadline, Heartbeat.Now + _timeout, current);
        }
    }

    /// <summary>Ends the request's timeout; false if it had already timed out (the connection must then be closed).</summary>
    public bool EndRequest() => Interlocked.Exchange(ref _deadline, 0) != Claimed;

    /// <summary>
    /// Cancels the current request. The socket is closed too: a cancelled connection is never reused, and the
    /// pending read of an idle connection taken by a request has no token to cancel.
    /// </summary>
    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // disposed meanwhile
        }

        _socket.Dispose();
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        // A request fits the socket's send buffer: the send completes at once, with no state machine.
        var send = _socket.SendAsync(bytes, SocketFlags.None, Token);
        return send.IsCompletedSuccessfully && send.Result == bytes.Length ? default : SendRestAsync(send, bytes);
    }

    /// <summary>Starts the idle read; false if the replica already sent something or closed (do not pool).</summary>
    public bool StartIdleRead()
    {
        _idleRead = _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, CancellationToken.None);
        _idleReadPending = true;
        return !_idleRead.IsCompleted;
    }

    /// <summary>Waits for the idle read (it completes when the response starts to arrive), if one is pending.</summary>
    public ValueTask<int> AwaitIdleReadAsync()
    {
        if (!_idleReadPending)
        {
            return ValueTask.FromResult(1);
        }

        _idleReadPending = false;
        return _idleRead;
    }

    /// <summary>Makes room after <see cref="End"/> for a receive (compacting when the buffer is full).</summary>
    public void PrepareReceive()
    {
        if (Start == End)
        {
            Start = End = 0;
        }
        else if (End == Buffer.Length)
        {
            if (Start == 0)
            {
                throw new InvalidOperationException("receive buffer full");
            }

            Buffer.AsSpan(Start, Buffered).CopyTo(Buffer);
            End -= Start;
            Start = 0;
        }
    }

    /// <summary>Receives into the room <see cref="PrepareReceive"/> made; pass the count to <see cref="Received"/>.</summary>
    public ValueTask<int> ReceiveAsync() => _socket.ReceiveAsync(Buffer.AsMemory(End), SocketFlags.None, Token);

    /// <summary>Accounts for a receive; false at end of stream.</summary>
    public bool Received(int count)
    {
        End += count;
        return count > 0;
    }

    /// <summary>Receives more bytes after <see cref="End"/>; false at end of stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> FillAsync()
    {
        PrepareReceive();
        return Received(await ReceiveAsync());
    }

    /// <summary>Called by the heartbeat: cancels the request if it is past its deadline.</summary>
    public void CheckDeadline(long now)
    {
        long deadline = Volatile.Read(ref _deadline);
        if (deadline > 0 && now > deadline && Interlocked.CompareExchange(ref _deadline, Claimed, deadline) == deadline)
        {
            Cancel();
        }
    }

    /// <summary>Closes the connection and gives its slot back to the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Heartbeat.Untrack(this);
        _socket.Dispose();
        _cancellation.Dispose();
        _pool.Released();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(ValueTask<int> first, ReadOnlyMemory<byte> bytes)
    {
        bytes = bytes[await first..];
        while (!bytes.IsEmpty)
        {
            int sent = await _socket.SendAsync(bytes, SocketFlags.None, Token);
            bytes = bytes[sent..];
        }
    }
}
