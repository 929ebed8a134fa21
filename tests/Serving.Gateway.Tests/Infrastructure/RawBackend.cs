using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Serving.Gateway.Tests.Infrastructure;

/// <summary>A request as a replica received it on the wire.</summary>
public sealed record RawRequest(string RequestLine, IReadOnlyList<(string Name, string Value)> Headers, byte[] Body)
{
    public IEnumerable<string> All(string name) =>
        Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public string? One(string name) => All(name).SingleOrDefault();
}

/// <summary>
/// A replica written on a bare TCP listener (loopback), so tests control the response bytes exactly: framing,
/// malformed heads, connections closed early, silence. <c>respond</c> writes the response for each request and
/// returns whether the connection stays open for the next one.
/// </summary>
public sealed class RawBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<RawRequest, Stream, Task<bool>> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Task _accepting;
    private int _connections;
    private int _closedByPeer;

    private RawBackend(Func<RawRequest, Stream, Task<bool>> respond)
    {
        _respond = respond;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections the gateway closed (end of stream seen while waiting for a request or holding one).</summary>
    public int ClosedByPeer => Volatile.Read(ref _closedByPeer);

    public ConcurrentQueue<RawRequest> Requests { get; } = new();

    public static RawBackend Start(Func<RawRequest, Stream, Task<bool>> respond) => new(respond);

    /// <summary>A backend answering every request with <paramref name="response"/> (bytes as written) and keeping the connection.</summary>
    public static RawBackend Answering(string response) => Start(async (_, stream) =>
    {
        await stream.WriteAsync(Encoding.Latin1.GetBytes(response));
        return true;
    });

    /// <summary>A backend that reads requests and never answers; a connection the gateway closes counts in <see cref="ClosedByPeer"/>.</summary>
    public static RawBackend Silent()
    {
        RawBackend? backend = null;
        backend = Start(async (_, stream) =>
        {
            var one = new byte[1];
            try
            {
                while (await stream.ReadAsync(one) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            Interlocked.Increment(ref backend!._closedByPeer);
            return false;
        });
        return backend;
    }

    public static string Ok(string body, string extraHeaders = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extraHeaders}\r\n{body}";

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        try
        {
            while (true)
            {
                int headEnd;
                while ((headEnd = IndexOfHeadEnd(buffer)) < 0)
                {
                    int read = await stream.ReadAsync(chunk, _stop.Token);
                    if (read == 0)
                    {
                        Interlocked.Increment(ref _closedByPeer);
                        return;
                    }

                    buffer.AddRange(chunk.AsSpan(0, read));
                }

                string head = Encoding.Latin1.GetString(buffer.GetRange(0, headEnd).ToArray());
                buffer.RemoveRange(0, headEnd + 4);
                var lines = head.Split("\r\n");
                var headers = lines.Skip(1).Select(l => (l[..l.IndexOf(':')], l[(l.IndexOf(':') + 1)..].Trim())).ToList();
                int length = headers.Where(h => h.Item1.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(h => int.Parse(h.Item2, System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
                bool chunked = headers.Any(h => h.Item1.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));
                byte[] body = chunked ? await ReadChunkedAsync(stream, buffer, chunk) : await ReadExactlyAsync(stream, buffer, chunk, length);
                var request = new RawRequest(lines[0], headers, body);
                Requests.Enqueue(request);
                if (!await _respond(request, stream))
                {
                    client.Dispose();
                    return;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Interlocked.Increment(ref _closedByPeer);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(Stream stream, List<byte> buffer, byte[] chunk, int length)
    {
        while (buffer.Count < length)
        {
            int read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                throw new IOException("request body cut short");
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }

        var body = buffer.GetRange(0, length).ToArray();
        buffer.RemoveRange(0, length);
        return body;
    }

    private async Task<byte[]> ReadChunkedAsync(Stream stream, List<byte> buffer, byte[] chunk)
    {
        var body = new List<byte>();
        while (true)
        {
            string line = Encoding.ASCII.GetString(await ReadLineAsync(stream, buffer, chunk));
            int size = Convert.ToInt32(line.Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                while ((await ReadLineAsync(stream, buffer, chunk)).Length > 0)
                {
                }

                return [.. body];
            }

            body.AddRange(await ReadExactlyAsync(stream, buffer, chunk, size));
            await ReadLineAsync(stream, buffer, chunk);
        }
    }

    private async Task<byte[]> ReadLineAsync(Stream stream, List<byte> buffer, byte[] chunk)
    {
        int end;
        while ((end = IndexOf(buffer, "\r\n"u8)) < 0)
        {
            int read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                throw new IOException("chunked body cut short");
            }

            buffer.AddRange(chunk.AsSpan(0, read));
        }

        var line = buffer.GetRange(0, end).ToArray();
        buffer.RemoveRange(0, end + 2);
        return line;
    }

    private static int IndexOfHeadEnd(List<byte> buffer) => IndexOf(buffer, "\r\n\r\n"u8);

    private static int IndexOf(List<byte> buffer, ReadOnlySpan<byte> pattern) =>
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer).IndexOf(pattern);
}
