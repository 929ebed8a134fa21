using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Serving.Runtime.Protocol;

/// <summary>A whole request body in a pooled buffer, read up to a size limit.</summary>
internal sealed class RequestBody : IDisposable
{
    private byte[] _buffer;
    private int _length;

    private RequestBody(int capacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public static async Task<RequestBody> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        limit = Math.Min(limit, Array.MaxLength);
        if (request.ContentLength > limit)
        {
            throw new InferenceException(
                ErrorKind.PayloadTooLarge, $"request body of {request.ContentLength} bytes is larger than the limit of {limit} bytes");
        }

        var body = new RequestBody((int)(request.ContentLength ?? 16 * 1024));
        try
        {
            var reader = request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken);
                foreach (var segment in result.Buffer)
                {
                    body.Append(segment.Span, limit);
                }

                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return body;
                }
            }
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>The binary extension's JSON header length, or null when the header is absent.</summary>
    public static long? HeaderLength(HttpRequest request)
    {
        string? value = request.Headers["Inference-Header-Content-Length"];
        if (value is null)
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long length)
            ? length
            : throw InferenceException.BadInput($"Inference-Header-Content-Length must be a non-negative integer, not '{value}'");
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Append(ReadOnlySpan<byte> data, long limit)
    {
        if (_length + (long)data.Length > limit)
        {
            throw new InferenceException(ErrorKind.PayloadTooLarge, $"request body is larger than the limit of {limit} bytes");
        }

        if (_length + data.Length > _buffer.Length)
        {
            byte[] bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(_buffer.Length * 2L, _length + (long)data.Length), Array.MaxLength));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }
}
