using System.Text;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// Decodes a chunked response body (RFC 9112 §7.1) from bytes as they arrive, without copying: each call consumes what
/// it can and points at the next run of body bytes. Strict and bounded: a chunk size is hex digits (at most 15, so it
/// fits a long), optionally followed by extensions; a chunk must end with CRLF right after its size; a size or trailer
/// line is at most <see cref="MaxLine"/> bytes and the trailer section at most <see cref="MaxTrailerBytes"/>.
/// Trailers are read and dropped (HTTP/1.1 clients rarely read them; YARP forwards them only over HTTP/2).
/// </summary>
internal struct ChunkedDecoder
{
    public const int MaxLine = 4096;

    public const int MaxTrailerBytes = 16 * 1024;

    private State _state;
    private long _remaining;
    private int _trailerBytes;

    private enum State
    {
        Size,
        Data,
        DataEnd,
        Trailer,
        Done,
    }

    /// <summary>The last chunk and the trailer section have been read.</summary>
    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Consumes <paramref name="input"/> until body bytes are found, more input is needed, or the body ends. Body bytes
    /// found are the last <paramref name="data"/> bytes of the <paramref name="consumed"/> ones. No body bytes and not
    /// <see cref="IsDone"/>: everything decodable was consumed, more input is needed.
    /// </summary>
    /// <exception cref="ReplicaProtocolException">the bytes are not a valid chunked body.</exception>
    public int Decode(ReadOnlySpan<byte> input, out int data)
    {
        int at = 0;
        data = 0;
        while (true)
        {
            var rest = input[at..];
            switch (_state)
            {
                case State.Size:
                {
                    int end = LineEnd(rest, "a chunk size line");
                    if (end < 0)
                    {
                        return at;
                    }

                    _remaining = ParseSize(rest[..end]);
                    at += end + 2;
                    _state = _remaining == 0 ? State.Trailer : State.Data;
                    break;
                }

                case State.Data:
                {
                    int take = (int)Math.Min(_remaining, rest.Length);
                    if (take == 0)
                    {
                        return at;
                    }

                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.DataEnd;
                    }

                    data = take;
                    return at + take;
                }

                case State.DataEnd:
                    if (rest.Length < 2)
                    {
                        return at;
                    }

                    if (rest[0] != '\r' || rest[1] != '\n')
                    {
                        throw new ReplicaProtocolException("a chunk of the response body was longer than its declared size");
                    }

                    at += 2;
                    _state = State.Size;
                    break;

                case State.Trailer:
                {
                    int end = LineEnd(rest, "a trailer line");
                    if (end < 0)
                    {
                        return at;
                    }

                    _trailerBytes += end + 2;
                    if (_trailerBytes > MaxTrailerBytes)
                    {
                        throw new ReplicaProtocolException($"the response's trailers are larger than {MaxTrailerBytes} bytes");
                    }

                    at += end + 2;
                    if (end == 0)
                    {
                        _state = State.Done;
                        return at;
                    }

                    break;
                }

                default:
                    return at;
            }
        }
    }

    /// <summary>The chunk size of a size line (extensions after <c>;</c> ignored).</summary>
    public static long ParseSize(ReadOnlySpan<byte> line)
    {
        int digits = line.IndexOfAnyExcept("0123456789abcdefABCDEF"u8);
        if (digits < 0)
        {
            digits = line.Length;
        }

        var extension = line[digits..].TrimStart(" \t"u8);
        if (digits == 0 || digits > 15 || !(extension.IsEmpty || extension[0] == ';'))
        {
            throw new ReplicaProtocolException("bad chunk size in the response body", Encoding.ASCII.GetString(line[..Math.Min(line.Length, 40)]));
        }

        long size = 0;
        foreach (byte b in line[..digits])
        {
            size = (size << 4) | (long)HexValue(b);
        }

        return size;
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private static int LineEnd(ReadOnlySpan<byte> rest, string what)
    {
        int end = rest.IndexOf("\r\n"u8);
        if (end > MaxLine || (end < 0 && rest.Length > MaxLine))
        {
            throw new ReplicaProtocolException($"{what} of the response is longer than {MaxLine} bytes");
        }

        return end;
    }
}
