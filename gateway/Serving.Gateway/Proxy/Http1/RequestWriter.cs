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
        IsAscii = true;
    }

    /// <summary>False once a text was not ASCII (the bytes written are then not to be sent).</summary>
    public bool IsAscii { get; private set; }

    public readonly ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public void Set(string name, string value) => Header(name, value);

    public void Header(string name, string? value)
    {
        Ascii(name);
        Ascii(": ");
        Ascii(value);
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
            IsAscii = false;
        }

        _length += written;
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
