using System.Net;
using System.Net.Http.Headers;

namespace Serving.Gateway.Proxy;

/// <summary>
/// Sends a small request's headers and body to the replica in one write.
/// YARP's request content flushes the headers before it copies the body (right for streaming, where the body may be
/// slow to come), which costs every inference request a second send, a second segment and the receiver a second
/// wake-up. Below <see cref="MaxBufferedBytes"/>, with a declared length and no <c>Expect: 100-continue</c>, this
/// handler first drains YARP's content into memory (through YARP's own copy, so its bookkeeping of the request body
/// stays exact) and then hands <c>SocketsHttpHandler</c> the bytes, which it writes behind the headers.
/// </summary>
public sealed class SmallBodyCoalescing(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>Bodies up to this size are coalesced; larger ones stream as YARP sends them.</summary>
    public const int MaxBufferedBytes = 16 * 1024;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { Headers.ContentLength: > 0 and <= MaxBufferedBytes } content && request.Headers.ExpectContinue != true)
        {
            return SendBufferedAsync(request, content, cancellationToken);
        }

        if (request.Content is null && !Http1.Http1Forwarder.IsIdempotent(request.Method.Method))
        {
            request.Content = new SendOnceContent([]); // SocketsHttpHandler replays a bodyless request on a dropped reused connection
        }

        return base.SendAsync(request, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendBufferedAsync(HttpRequestMessage request, HttpContent content, CancellationToken cancellationToken)
    {
        var body = new byte[(int)content.Headers.ContentLength!.Value];
        using (var sink = new MemoryStream(body, writable: true))
        {
            await content.CopyToAsync(sink, cancellationToken);
            if (sink.Position != body.Length)
            {
                throw new IOException($"the request body ended after {sink.Position} of {body.Length} declared bytes");
            }
        }

        var buffered = Http1.Http1Forwarder.IsIdempotent(request.Method.Method) ? new ByteArrayContent(body) : new SendOnceContent(body);
        CopyHeaders(content.Headers, buffered.Headers);
        request.Content = buffered;
        return await base.SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// A body <c>SocketsHttpHandler</c> can send only once: it re-sends a request whose reused connection failed before
    /// any response byte, which for a non-idempotent method may run it twice on the replica. The gateway's policy, on
    /// both paths, is to answer 502 instead.
    /// </summary>
    private sealed class SendOnceContent : ByteArrayContent
    {
        private readonly byte[] _body;
        private int _sent;

        public SendOnceContent(byte[] body)
            : base(body) => _body = body;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            Interlocked.Exchange(ref _sent, 1) == 0
                ? stream.WriteAsync(_body, cancellationToken).AsTask()
                : throw new IOException("the request may have reached the replica; a non-idempotent request is not sent twice");

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            SerializeToStreamAsync(stream, context, cancellationToken).GetAwaiter().GetResult();
    }

    private static void CopyHeaders(HttpContentHeaders from, HttpContentHeaders to)
    {
        foreach (var header in from.NonValidated)
        {
            to.TryAddWithoutValidation(header.Key, header.Value);
        }
    }
}
