using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>The request head and body in one pooled buffer, so that they leave in one write.</summary>
internal struct RequestWriter : IHeaderSink
{
    private byte[] _buffer;
    private int _length;

    public RequestWriter(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        IsEncodable = true;
    }

    /// <summary>
    /// False once a text could not be written as it is: the request target not ASCII, or a header value with a
    /// character beyond Latin-1 (the bytes written are then not to be sent).
    /// </summary>
    public bool IsEncodable { get; private set; }

    public readonly ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public void Set(string name, string value) => Header(name, value);

    public readonly void Remove(string name)
    {
        // the direct path copies none of the headers the gateway replaces
    }

    /// <summary>A header line; the value as Latin-1, so that bytes a client sent beyond ASCII reach the replica as they were.</summary>
    public void Header(string name, string? value)
    {
        Ascii(name);
        Ascii(": ");
        Latin1(value);
        Ascii("\r\n");
    }

    public void Ascii(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        Ensure(text.Length);
        if (System.Text.Ascii.FromUtf16(text, _buffer.AsSpan(_length), out int written) != OperationStatus.Done)
        {
            IsEncodable = false;
        }

        _length += written;
    }

    private void Latin1(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        Ensure(text.Length);
        if (System.Text.Ascii.FromUtf16(text, _buffer.AsSpan(_length), out int written) == OperationStatus.Done)
        {
            _length += written;
            return;
        }

        foreach (char c in text)
        {
            IsEncodable &= c <= 0xFF;
            _buffer[_length++] = (byte)c;
        }
    }

    public void Byte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void Number(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int written);
        _length += written;
    }

    /// <summary>Space for <paramref name="count"/> bytes at the end, counted as written.</summary>
    public Memory<byte> Reserve(int count)
    {
        Ensure(count);
        var slot = _buffer.AsMemory(_length, count);
        _length += count;
        return slot;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private void Ensure(int count)
    {
        if (_length + count <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
