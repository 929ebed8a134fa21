using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Net.Sockets;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Serving.Gateway.Model;
using Serving.Gateway.Observability;
using Serving.Telemetry.Tracing;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// The gateway's direct path for plain inference requests: an HTTP/1.x request with a small body of declared length
/// (or none), forwarded to an <c>http://</c> replica over a pooled keep-alive connection, in one write (request line,
/// headers and body together), and its response, whatever its framing (length, chunked, until close), streamed back.
/// Everything else (upgrades, <c>Expect: 100-continue</c>, chunked or large request bodies, HTTP/2 clients, other
/// replica schemes) goes through YARP.
///
/// Why it exists: on the measured machine YARP's forwarder with <c>SocketsHttpHandler</c> costs about 1.5× the proxy
/// CPU per request of nginx for this traffic, mostly in building and copying <c>HttpRequestMessage</c>/
/// <c>HttpResponseMessage</c> and their header collections (loadtests/reports/gateway.md). The semantics follow YARP's
/// defaults: the replica gets the client's Host (its own authority when the client sent none), YARP's hop-by-hop
/// and proxy headers are dropped both ways (<see cref="HopByHopHeaders"/>), <see cref="ForwardedHeaders"/> are
/// applied, header values travel as the bytes received (Latin-1 strings), the path base of the path form is not sent,
/// the timeout is an activity timeout, and a reused connection that fails before any byte of the response is retried
/// once on a new one, for idempotent methods only (the request may have reached the replica).
/// </summary>
internal sealed class Http1Forwarder(TimeSpan timeout, int maxConnectionsPerReplica, ForwardedHeaders forwarded, TimeProvider time) : IDisposable
{
    /// <summary>Largest request body taken by this path (it is read whole before the request is sent).</summary>
    public const int MaxBody = 64 * 1024;

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly ConnectionHeartbeat _heartbeat = new(time);

    /// <summary>Whether the request is plain enough for this path.</summary>
    public static bool Accepts(HttpRequest request)
    {
        var headers = request.Headers;
        return request.ContentLength is null or <= MaxBody
            && headers.TransferEncoding.Count == 0
            && (HttpProtocol.IsHttp11(request.Protocol) || HttpProtocol.IsHttp10(request.Protocol))
            && headers.Expect.Count == 0
            && headers.Upgrade.Count == 0
            && !HttpMethods.IsConnect(request.Method);
    }

    /// <summary>
    /// Forwards the request and copies the response. One async frame carries the common case (body already read,
    /// head and whole body in one receive), so a request that waits on the replica suspends one method, not five.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    /// <param name="trace">The forward span when the request is traced: the replica gets its traceparent instead of the client's.</param>
    public async ValueTask<ForwardOutcome> ForwardAsync(HttpContext context, ReplicaConnections replica, ServiceKey service, Activity? trace = null)
    {
        var request = context.Request;
        var aborted = context.RequestAborted;
        int bodyLength = (int)(request.ContentLength ?? 0);
        var writer = new RequestWriter(1024 + bodyLength);
        ReplicaConnection? connection = null;
        bool responding = false;
        try
        {
            if (!WriteHead(context, replica.Authority, service, trace, ref writer))
            {
                return ForwardOutcome.NotTaken; // a request target that is not ASCII: YARP escapes it
            }

            // The connection first: a replica that refuses it has taken nothing, not even the body, so another may.
            connection = replica.TryRent(_heartbeat);
            if (connection is null)
            {
                try
                {
                    connection = await replica.ConnectAsync(_heartbeat, maxConnectionsPerReplica, timeout, aborted);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && !aborted.IsCancellationRequested)
                {
                    return new(GatewayError.BackendUnreachable, Exception: e, NotSent: true); // nobody listens there (a replica that just died)
                }
            }

            if (bodyLength > 0)
            {
                try
                {
                    if (!await ReadBodyAsync(request.BodyReader, writer.Reserve(bodyLength), aborted))
                    {
                        connection.Dispose();
                        connection = null;
                        return new(GatewayError.ClientGone);
                    }
                }
                catch (Exception e) when (e is BadHttpRequestException || (e is OperationCanceledException or IOException && aborted.IsCancellationRequested))
                {
                    connection?.Dispose();
                    connection = null;
                    return new(GatewayError.ClientGone, Exception: e); // the client stopped sending its body
                }
            }

            bool headRequest = HttpMethods.IsHead(request.Method);
            bool retried = false;
            while (true)
            {
                connection.StartRequest(timeout);
                var onAbort = aborted.UnsafeRegister(static state => ((ReplicaConnection)state!).Cancel(), connection);
                var head = connection.Head;
                bool informational = false;
                try
                {
                    await connection.SendAsync(writer.Written);
                    await connection.AwaitIdleReadAsync(); // a pooled connection's pending read: completes as the response arrives
                    do
                    {
                        int end;
                        while ((end = connection.Buffer.AsSpan(connection.Start, connection.Buffered).IndexOf(HeadEnd)) < 0)
                        {
                            if (connection.Buffered == ReplicaConnection.BufferSize)
                            {
                                throw new ReplicaProtocolException($"the response head is larger than {ReplicaConnection.BufferSize} bytes");
                            }

                            if (connection.Buffer.AsSpan(connection.Start, connection.Buffered).IndexOf("\n\n"u8) >= 0)
                            {
                                throw new ReplicaProtocolException("the response head ends its lines with LF alone, not CRLF");
                            }

                            connection.PrepareReceive();
                            if (!connection.Received(await connection.ReceiveAsync()))
                            {
                                throw connection.Buffered == 0 && !informational
                                    ? new ReplicaClosedException()
                                    : new ReplicaProtocolException("the connection closed in the middle of the response head");
                            }
                        }

                        head.Parse(connection.Buffer.AsSpan(connection.Start, end + 2), headRequest);
                        connection.Start += end + HeadEnd.Length;
                        if (head.Status == StatusCodes.Status101SwitchingProtocols)
                        {
                            throw new ReplicaProtocolException("the replica switched protocols on a request that did not ask to");
                        }

                        informational |= head.Status < 200;
                    }
                    while (head.Status < 200); // 1xx informational heads are not forwarded
                }
                catch (Exception e) when (connection.Reused && connection.Buffered == 0 && !informational && IsConnectionLoss(e)
                                          && !connection.TimedOut && !aborted.IsCancellationRequested && !retried && IsIdempotent(request.Method))
                {
                    // The replica closed a kept-alive connection before answering (a restart, a close racing our send):
                    // retry once, fresh. Only idempotent methods: the request may have reached the replica and run.
                    // Never after a 1xx: the replica had started on the request.
                    onAbort.Dispose();
                    connection.Dispose();
                    connection = null;
                    retried = true;
                    connection = await replica.ConnectAsync(_heartbeat, maxConnectionsPerReplica, timeout, aborted);
                    continue;
                }
                catch
                {
                    onAbort.Dispose();
                    throw;
                }

                responding = true;
                bool copied;
                try
                {
                    try
                    {
                        CopyHead(context.Response, head);
                    }
                    catch (InvalidOperationException e)
                    {
                        throw new ReplicaProtocolException("the response cannot be forwarded", e.Message); // e.g. a header value Kestrel refuses
                    }

                    if (head.Framing == Framing.None)
                    {
                        copied = true;
                    }
                    else if (head.Framing == Framing.Length && connection.Buffered >= head.ContentLength)
                    {
                        // The whole body came with the head: one write, no loop.
                        int length = (int)head.ContentLength!.Value;
                        copied = await WriteToClientAsync(context, connection.Buffer.AsMemory(connection.Start, length));
                        connection.Start += length;
                    }
                    else
                    {
                        copied = await CopyBodyAsync(context, connection, head);
                    }
                }
                finally
                {
                    // Before the connection can carry another request, this client's going away must no longer reach it.
                    onAbort.Dispose();
                }

                if (!copied)
                {
                    connection.Dispose();
                    connection = null;
                    return new(GatewayError.ClientGone);
                }

                if (connection.EndRequest() && head.KeepAlive && connection.Buffered == 0)
                {
                    replica.Return(connection);
                }
                else
                {
                    connection.Dispose();
                }

                connection = null;
                return ForwardOutcome.Success;
            }
        }
        catch (Exception e)
        {
            bool timedOut = connection?.TimedOut == true;
            connection?.Dispose();
            if (aborted.IsCancellationRequested)
            {
                return new(GatewayError.ClientGone, Exception: e);
            }

            if (context.Response.HasStarted)
            {
                context.Abort(); // the status and part of the body are out: the client must not take this for a whole response
            }

            // The detail is what the client is told: never the replica's address or bytes (those are in the exception, logged).
            return e switch
            {
                _ when timedOut => new(GatewayError.BackendTimeout, Exception: e),
                OperationCanceledException => new(GatewayError.BackendTimeout, Exception: e),
                ReplicaProtocolException => new(GatewayError.BackendFailed, e.Message, e),
                ReplicaClosedException => new(GatewayError.BackendFailed, e.Message, e),
                _ when !responding => new(GatewayError.BackendUnreachable, Exception: e),
                _ => new(GatewayError.BackendFailed, "the response ended early", e),
            };
        }
        finally
        {
            writer.Dispose();
        }
    }

    public void Dispose() => _heartbeat.Dispose();

    /// <summary>Methods a request may be sent twice with (RFC 9110 §9.2.2).</summary>
    internal static bool IsIdempotent(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method)
        || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool IsConnectionLoss(Exception e) => e is SocketException or IOException or ReplicaClosedException or ObjectDisposedException;

    /// <summary>Writes the request head; false if the request target is not ASCII (YARP escapes it).</summary>
    private bool WriteHead(HttpContext context, string authority, ServiceKey service, Activity? trace, ref RequestWriter writer)
    {
        var request = context.Request;
        writer.Ascii(request.Method);
        writer.Byte((byte)' ');
        writer.Ascii(request.Path.HasValue ? request.Path.ToUriComponent() : "/");
        writer.Ascii(request.QueryString.Value);
        writer.Ascii(" HTTP/1.1\r\n");
        if (!writer.IsEncodable)
        {
            return false;
        }

        writer.Header(HeaderNames.Host, request.Headers.Host is [{ Length: > 0 } host] ? host : authority);
        bool trusted = forwarded.IsTrusted(context);
        foreach (var (name, values) in request.Headers)
        {
            if (HopByHopHeaders.Contains(name) || name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase)
                || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase) || ForwardedHeaders.IsReplaced(name, trusted)
                || (trace is not null && GatewayTracing.IsTraceHeader(name)))
            {
                continue;
            }

            if (values.Count > 1 && name.Equals(HeaderNames.Cookie, StringComparison.OrdinalIgnoreCase))
            {
                writer.Header(name, string.Join("; ", values.ToArray())); // one Cookie line, as RFC 9113 §8.2.3 and YARP's client join them
                continue;
            }

            foreach (string? value in values)
            {
                writer.Header(name, value);
            }
        }

        if (request.ContentLength is { } length)
        {
            writer.Ascii("Content-Length: ");
            writer.Number(length);
            writer.Ascii("\r\n");
        }
        else if (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
        {
            writer.Ascii("Content-Length: 0\r\n"); // an empty body said explicitly, as YARP's client does for these methods
        }

        forwarded.Apply(context, service, trusted, ref writer);
        if (trace is not null)
        {
            writer.Header(TraceContext.TraceParent, trace.Id);
            if (trace.TraceStateString is { } state)
            {
                writer.Header(TraceContext.TraceState, state);
            }
        }

        writer.Ascii("\r\n");
        return writer.IsEncodable;
    }

    /// <summary>Reads exactly <paramref name="into"/>'s length of request body; false if the body ended first.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> ReadBodyAsync(PipeReader body, Memory<byte> into, CancellationToken cancellationToken)
    {
        while (!into.IsEmpty)
        {
            var result = await body.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            int take = (int)Math.Min(buffer.Length, into.Length);
            buffer.Slice(0, take).CopyTo(into.Span);
            into = into[take..];
            body.AdvanceTo(buffer.GetPosition(take));
            if (!into.IsEmpty && result.IsCompleted)
            {
                return false;
            }
        }

        return true;
    }

    private static void CopyHead(HttpResponse response, ResponseHead head)
    {
        response.StatusCode = head.Status;
        foreach (var (name, value) in head.Headers)
        {
            // Not Headers.Append: it drops an empty value, which YARP's path keeps.
            var existing = response.Headers[name];
            response.Headers[name] = existing.Count == 0 ? new StringValues(value) : StringValues.Concat(existing, value);
        }

        if (head.ContentLength is { } declared
            && head.Status is not (StatusCodes.Status204NoContent or StatusCodes.Status205ResetContent or StatusCodes.Status304NotModified))
        {
            response.ContentLength = declared;
        }
    }

    /// <summary>False when the client went away while it was being written to.</summary>
    private static async ValueTask<bool> WriteToClientAsync(HttpContext context, ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await context.Response.Body.WriteAsync(bytes);
            return true;
        }
        catch (Exception e) when (IsClientGone(e, context))
        {
            return false;
        }
    }

    /// <summary>The body in any framing, as it arrives; false when the client went away while it was being written.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CopyBodyAsync(HttpContext context, ReplicaConnection connection, ResponseHead head)
    {
        var body = context.Response.Body;
        try
        {
            switch (head.Framing)
            {
                case Framing.Length:
                    await CopyLengthAsync(connection, body, head.ContentLength!.Value);
                    break;
                case Framing.Chunked:
                    await CopyChunkedAsync(connection, body);
                    break;
                case Framing.UntilClose:
                    await CopyUntilCloseAsync(connection, body);
                    break;
            }

            return true;
        }
        catch (Exception e) when (IsClientGone(e, context))
        {
            return false;
        }
    }

    private static bool IsClientGone(Exception e, HttpContext context) =>
        e is OperationCanceledException or IOException or ConnectionAbortedException && context.RequestAborted.IsCancellationRequested;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CopyLengthAsync(ReplicaConnection connection, Stream body, long remaining)
    {
        while (true)
        {
            int take = (int)Math.Min(remaining, connection.Buffered);
            if (take > 0)
            {
                await body.WriteAsync(connection.Buffer.AsMemory(connection.Start, take));
                connection.Start += take;
                remaining -= take;
            }

            if (remaining == 0)
            {
                return;
            }

            await FillOrThrowAsync(connection, "the response body ended before its Content-Length");
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CopyUntilCloseAsync(ReplicaConnection connection, Stream body)
    {
        while (true)
        {
            if (connection.Buffered > 0)
            {
                await body.WriteAsync(connection.Buffer.AsMemory(connection.Start, connection.Buffered));
                connection.Start = connection.End;
            }

            if (!await connection.FillAsync())
            {
                return;
            }

            connection.Touch();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CopyChunkedAsync(ReplicaConnection connection, Stream body)
    {
        var decoder = new ChunkedDecoder();
        while (true)
        {
            connection.Start += decoder.Decode(connection.Buffer.AsSpan(connection.Start, connection.Buffered), out int data);
            if (data > 0)
            {
                await body.WriteAsync(connection.Buffer.AsMemory(connection.Start - data, data));
            }
            else if (decoder.IsDone)
            {
                return;
            }
            else
            {
                await FillOrThrowAsync(connection, "the chunked response body ended early");
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillOrThrowAsync(ReplicaConnection connection, string whenClosed)
    {
        if (!await connection.FillAsync())
        {
            throw new ReplicaProtocolException(whenClosed);
        }

        connection.Touch();
    }
}
