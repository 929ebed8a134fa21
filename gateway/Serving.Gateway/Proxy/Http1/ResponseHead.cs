using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Serving.Gateway.Proxy.Http1;

internal enum Framing
{
    None,
    Length,
    Chunked,
    UntilClose,
}

/// <summary>
/// A parsed response head: status, end-to-end headers, and how the body is delimited. Strict, as a proxy must be
/// (RFC 9112): HTTP/1.0 or 1.1 only, header names are tokens, values hold no control characters but tab,
/// Content-Length is digits only (and agrees with itself), a Transfer-Encoding other than <c>chunked</c> is refused,
/// and 1xx, 204, 205 and 304 responses have no body whatever they declare. One per connection, parsed
/// again for every response; a header whose name and value are byte for byte the previous response's at the same
/// position keeps its strings (replicas repeat Content-Type, Server and mostly Date), as Kestrel does for requests.
/// </summary>
internal sealed class ResponseHead
{
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    // Control characters but horizontal tab, and DEL: never in a field value (RFC 9110 §5.5).
    private static readonly SearchValues<byte> ValueControls = SearchValues.Create(
        [.. Enumerable.Range(0, 32).Where(b => b != '\t').Select(b => (byte)b), (byte)127]);

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
        if (statusLine.Length < 12 || !(statusLine.StartsWith("HTTP/1.1 "u8) || statusLine.StartsWith("HTTP/1.0 "u8))
            || !IsDigits(statusLine.Slice(9, 3)) || statusLine[9] == '0' || (statusLine.Length > 12 && statusLine[12] != ' ')
            || statusLine[12..].IndexOfAny(ValueControls) >= 0)
        {
            throw new ReplicaProtocolException("bad status line", Printable(statusLine));
        }

        int status = ((statusLine[9] - '0') * 100) + ((statusLine[10] - '0') * 10) + (statusLine[11] - '0');
        Status = status;
        bool http11 = statusLine[7] == (byte)'1';
        KeepAlive = http11;
        ContentLength = null;
        bool transferEncoding = false, close = false;
        int count = 0;
        var rest = head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = rest[..lineEnd];
            rest = rest[(lineEnd + 2)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].IndexOfAnyExcept(TokenChars) >= 0 || line[(colon + 1)..].IndexOfAny(ValueControls) >= 0)
            {
                throw new ReplicaProtocolException("bad header line", Printable(line));
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
                    if (!IsDigits(value) || !Utf8Parser.TryParse(value, out long length, out int used) || used != value.Length
                        || (ContentLength is { } earlier && earlier != length))
                    {
                        throw new ReplicaProtocolException("bad Content-Length", Printable(value));
                    }

                    ContentLength = length;
                    continue;
                case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                    // Only chunked: another coding would reach the client undecoded, or be framed by the close (RFC 9112 §6.3).
                    if (!Ascii.EqualsIgnoreCase(value, "chunked"u8) || transferEncoding)
                    {
                        throw new ReplicaProtocolException("a Transfer-Encoding other than chunked", Printable(value));
                    }

                    transferEncoding = true;
                    continue;
                default:
                    if (HopByHopHeaders.Contains(name))
                    {
                        continue;
                    }

                    break;
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

        if (headRequest || status < 200 || status is 204 or 205 or 304)
        {
            // No body whatever the head declares; bytes a 204 or 205 declared would follow unframed: do not reuse.
            Framing = Framing.None;
            if (status is 204 or 205 && (transferEncoding || ContentLength > 0))
            {
                KeepAlive = false;
            }
        }
        else if (transferEncoding)
        {
            Framing = Framing.Chunked; // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3)
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

    private static bool IsDigits(ReadOnlySpan<byte> text) => !text.IsEmpty && text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;

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
