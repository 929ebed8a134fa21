using System.Buffers.Text;
using System.Text;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>The replica closed a connection before sending any byte of a response.</summary>
internal sealed class ReplicaClosedException() : IOException("the replica closed the connection before answering");

/// <summary>The replica's response is not valid HTTP/1.1 (or exceeds what the gateway accepts).</summary>
internal sealed class ReplicaProtocolException(string message) : Exception(message);

internal enum Framing
{
    None,
    Length,
    Chunked,
    UntilClose,
}

/// <summary>
/// A parsed response head: status, end-to-end headers, and how the body is delimited. One per connection, parsed
/// again for every response; a header whose name and value are byte for byte the previous response's at the same
/// position keeps its strings (replicas repeat Content-Type, Server and mostly Date), as Kestrel does for requests.
/// </summary>
internal sealed class ResponseHead
{
    public int Status { get; private set; }

    public List<(string Name, string Value)> Headers { get; } = new(8);

    public long? ContentLength { get; private set; }

    public Framing Framing { get; private set; }

    public bool KeepAlive { get; private set; }

    /// <summary>Parses a head that ends with one CRLF (the blank line excluded).</summary>
    public void Parse(ReadOnlySpan<byte> head, bool headRequest)
    {
        int lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != ' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out int digits) || digits != 3 || status < 100
            || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            throw new ReplicaProtocolException($"bad status line '{Printable(statusLine)}'");
        }

        Status = status;
        bool http11 = statusLine[7] == (byte)'1';
        KeepAlive = http11;
        ContentLength = null;
        bool chunked = false, transferEncoding = false, close = false;
        int count = 0;
        var rest = head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = rest[..lineEnd];
            rest = rest[(lineEnd + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t' || line[colon - 1] is (byte)' ' or (byte)'\t')
            {
                throw new ReplicaProtocolException($"bad header line '{Printable(line)}' in the response");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            switch (name.Length)
            {
                case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8):
                    close |= Contains(value, "close"u8);
                    KeepAlive |= Contains(value, "keep-alive"u8);
                    continue;
                case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                    if (!Utf8Parser.TryParse(value, out long length, out int used) || used != value.Length || length < 0
                        || (ContentLength is { } earlier && earlier != length))
                    {
                        throw new ReplicaProtocolException($"bad Content-Length '{Printable(value)}' in the response");
                    }

                    ContentLength = length;
                    continue;
                case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                    transferEncoding = true;
                    chunked = LastToken(value, "chunked"u8); // chunked must be the final coding (RFC 9112 §6.1)
                    continue;
                case 2 or 7 or 10 or 16 when HopByHopHeaders.Contains(name):
                    continue;
            }

            if (count < Headers.Count)
            {
                var (previousName, previousValue) = Headers[count];
                Headers[count] = (Ascii.Equals(name, previousName) ? previousName : Encoding.Latin1.GetString(name),
                    Ascii.Equals(value, previousValue) ? previousValue : Encoding.Latin1.GetString(value));
            }
            else
            {
                Headers.Add((Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
            }

            count++;
        }

        Headers.RemoveRange(count, Headers.Count - count);
        if (close)
        {
            KeepAlive = false; // a close anywhere wins
        }

        if (transferEncoding && (ContentLength is not null || !http11))
        {
            KeepAlive = false; // both framings, or Transfer-Encoding in HTTP/1.0: a smuggling risk, do not reuse (§6.3)
        }

        if (headRequest || status < 200 || status is 204 or 304)
        {
            Framing = Framing.None;
        }
        else if (transferEncoding)
        {
            // Transfer-Encoding wins over Content-Length; without chunked last, the body runs until close (RFC 9112 §6.3).
            Framing = chunked ? Framing.Chunked : Framing.UntilClose;
            KeepAlive &= chunked;
            ContentLength = null;
        }
        else if (ContentLength is not null)
        {
            Framing = Framing.Length;
        }
        else
        {
            Framing = Framing.UntilClose;
            KeepAlive = false;
        }
    }

    private static bool LastToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        int comma = value.LastIndexOf((byte)',');
        return Ascii.EqualsIgnoreCase(value[(comma + 1)..].Trim(" \t"u8), token);
    }

    private static bool Contains(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    private static string Printable(ReadOnlySpan<byte> bytes) =>
        Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 120)]).ReplaceLineEndings(" ");
}
