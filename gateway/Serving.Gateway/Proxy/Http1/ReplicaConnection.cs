using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// One keep-alive HTTP/1.1 connection to a replica: the socket, a receive buffer holding what has been read but not
/// yet consumed, the head of the response being read, and the cancellation of the request it carries.
/// Timeouts are deadlines checked by one heartbeat for all connections (as Kestrel does), so a request pays two
/// field writes for its timeout instead of timer operations.
/// </summary>
internal sealed class ReplicaConnection : IDisposable
{
    /// <summary>A response head must fit in the buffer; larger heads fail the request with a clear message.</summary>
    public const int BufferSize = 16 * 1024;

    /// <summary>How often deadlines are checked: a request times out up to this much after its deadline.</summary>
    public static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromMilliseconds(250);

    private static readonly ConcurrentDictionary<ReplicaConnection, byte> Open = new();
    private static readonly Timer Heartbeat = new(static _ => CheckDeadlines(), null, HeartbeatPeriod, HeartbeatPeriod);

    private readonly Socket _socket;
    private CancellationTokenSource _cancellation = new();
    private long _timeoutMs;
    private long _deadline; // Environment.TickCount64 in ms; 0 while no request is carried

    public ReplicaConnection(Socket socket)
    {
        _socket = socket;
        Open.TryAdd(this, 0);
        GC.KeepAlive(Heartbeat);
    }

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

    /// <summary><see cref="Environment.TickCount64"/> when the connection last went idle.</summary>
    public long LastUsed { get; set; }

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

        _timeoutMs = (long)timeout.TotalMilliseconds;
        Volatile.Write(ref _deadline, Environment.TickCount64 + _timeoutMs);
    }

    /// <summary>Pushes the deadline back after the replica showed activity (YARP's activity timeout has the same meaning).</summary>
    public void Touch() => Volatile.Write(ref _deadline, Environment.TickCount64 + _timeoutMs);

    public void EndRequest() => Volatile.Write(ref _deadline, 0);

    public void Cancel() => _cancellation.Cancel();

    public ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        // A request fits the socket's send buffer: the send completes at once, with no state machine.
        var send = _socket.SendAsync(bytes, SocketFlags.None, Token);
        return send.IsCompletedSuccessfully && send.Result == bytes.Length ? default : SendRestAsync(send, bytes);
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

    public void Dispose()
    {
        Open.TryRemove(this, out _);
        _socket.Dispose();
        _cancellation.Dispose();
    }

    private static void CheckDeadlines()
    {
        long now = Environment.TickCount64;
        foreach (var (connection, _) in Open)
        {
            long deadline = Volatile.Read(ref connection._deadline);
            // Re-read: a request that ended (or a new one that started) since the first read is left alone. The window
            // left between the two reads and Cancel is a request finishing at the very moment its deadline passed.
            if (deadline != 0 && now > deadline && Volatile.Read(ref connection._deadline) == deadline)
            {
                try
                {
                    connection.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // closed meanwhile
                }
            }
        }
    }
}
