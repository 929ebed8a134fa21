using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Proxy.Http1;
using Serving.Gateway.Tests.Activation;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Proxy;

/// <summary>
/// What reaches the replica and what comes back, byte for byte, on both forwarding paths: the direct HTTP/1.1 path
/// (the default) and YARP (<c>--forwarder yarp</c>, and the direct path's fallback). Replicas are bare TCP listeners
/// so the tests control framing, malformed answers, early closes and silence.
/// </summary>
public sealed class ForwardingTests
{
    private const string Host = "iris.default.example.com";

    public static TheoryData<ForwarderMode> Modes => [ForwarderMode.Direct, ForwarderMode.Yarp];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task The_replica_receives_the_request_as_YARP_sends_it(ForwarderMode mode)
    {
        await using var replica = RawBackend.Answering(RawBackend.Ok("{\"predictions\":[1]}"));
        await using var gateway = await StartAsync(mode, replica);
        string body = "{\"instances\":[[6.8,2.8,4.8,1.4]]}";

        string response = await RawExchangeAsync(gateway.Inference,
            $"POST /serving/default/iris/v1/models/iris:predict?verbose=1 HTTP/1.1\r\nHost: gateway.local\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {body.Length}\r\nX-Custom: a\r\nX-Multi: one\r\nX-Multi: two\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n" +
            $"KServe-Isvc-Name: spoofed\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\n" +
            $"Forwarded: for=10.0.0.1\r\nX-Real-IP: 10.0.0.1\r\nProxy-Authorization: Basic eA==\r\nUpgrade-Insecure-Requests: 1\r\n" +
            $"Connection: close\r\n\r\n{body}");

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.EndsWith("{\"predictions\":[1]}", response);
        var seen = Assert.Single(replica.Requests);
        Assert.Equal("POST /v1/models/iris:predict?verbose=1 HTTP/1.1", seen.RequestLine);
        Assert.Equal("gateway.local", seen.One("Host")); // the client's, as YARP's default transform copies it
        Assert.Equal(body, Encoding.UTF8.GetString(seen.Body));
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), seen.One("Content-Length"));
        Assert.Equal("application/json", seen.One("Content-Type"));
        Assert.Equal("a", seen.One("X-Custom"));
        Assert.Equal(["one", "two"], seen.All("X-Multi").SelectMany(v => v.Split(", ")));
        Assert.Equal("iris", seen.One("KServe-Isvc-Name"));
        Assert.Equal("default", seen.One("KServe-Isvc-Namespace"));
        Assert.Equal("127.0.0.1", seen.One("X-Forwarded-For")); // the client is no trusted proxy: what it claims is dropped
        Assert.Equal("http", seen.One("X-Forwarded-Proto"));
        Assert.Equal("gateway.local", seen.One("X-Forwarded-Host"));
        Assert.Equal("/serving/default/iris", seen.One("X-Forwarded-Prefix"));
        Assert.Empty(seen.All("Forwarded"));
        Assert.Empty(seen.All("X-Real-IP"));
        Assert.Empty(seen.All("Proxy-Authorization")); // YARP's proxy headers, dropped on both paths
        Assert.Empty(seen.All("Upgrade-Insecure-Requests"));
        Assert.Empty(seen.All("TE"));
        Assert.Empty(seen.All("Keep-Alive"));
        Assert.DoesNotContain(seen.All("Connection"), v => v.Contains("close", StringComparison.OrdinalIgnoreCase));
    }

    public static TheoryData<ForwarderMode, string> Framings => new()
    {
        { ForwarderMode.Direct, "length" }, { ForwarderMode.Direct, "chunked" }, { ForwarderMode.Direct, "close" },
        { ForwarderMode.Yarp, "length" }, { ForwarderMode.Yarp, "chunked" }, { ForwarderMode.Yarp, "close" },
    };

    [Theory]
    [MemberData(nameof(Framings))]
    public async Task Responses_in_every_framing_reach_the_client_whole(ForwarderMode mode, string framing)
    {
        var payload = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26)))) + "|end");
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            string common = "Content-Type: text/plain\r\nX-Resp: 1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nKeep-Alive: timeout=5\r\n";
            switch (framing)
            {
                case "length":
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{common}Content-Length: {payload.Length}\r\n\r\n"));
                    await stream.WriteAsync(payload.AsMemory(0, 10_000));
                    await Task.Delay(20);
                    await stream.WriteAsync(payload.AsMemory(10_000));
                    return true;
                case "chunked":
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{common}Transfer-Encoding: chunked\r\n\r\n"));
                    for (int at = 0; at < payload.Length; at += 7_000)
                    {
                        int size = Math.Min(7_000, payload.Length - at);
                        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{size:x};ext=1\r\n"));
                        await stream.WriteAsync(payload.AsMemory(at, size));
                        await stream.WriteAsync("\r\n"u8.ToArray());
                    }

                    await stream.WriteAsync("0\r\nX-Trailer: t\r\n\r\n"u8.ToArray());
                    return true;
                default:
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{common}Connection: close\r\n\r\n"));
                    await stream.WriteAsync(payload);
                    return false;
            }
        });
        await using var gateway = await StartAsync(mode, replica);

        for (int i = 0; i < 2; i++)
        {
            var (status, body, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
            using (response)
            {
                Assert.Equal(200, status);
                Assert.Equal(Encoding.ASCII.GetString(payload), body);
                Assert.Equal(["1"], response.Headers.GetValues("X-Resp"));
                Assert.Equal(["a=1", "b=2"], response.Headers.GetValues("Set-Cookie"));
                Assert.False(response.Headers.Contains("Keep-Alive"));
            }
        }

        Assert.Equal(framing == "close" ? 2 : 1, replica.Connections);
    }

    [Fact]
    public async Task Keep_alive_connections_are_reused_and_head_responses_have_no_body()
    {
        await using var replica = RawBackend.Start(async (request, stream) =>
        {
            string answer = request.RequestLine.StartsWith("HEAD", StringComparison.Ordinal)
                ? "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"
                : request.RequestLine.Contains("/empty", StringComparison.Ordinal) ? "HTTP/1.1 204 No Content\r\n\r\n" : RawBackend.Ok("{}");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
            return true;
        });
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);

        for (int i = 0; i < 20; i++)
        {
            var method = (i % 3) switch { 0 => HttpMethod.Head, 1 => HttpMethod.Get, _ => HttpMethod.Post };
            string path = i % 5 == 0 ? "/empty" : "/v1/models/iris";
            var (status, _, response) = await gateway.SendAsync(Host, path, method);
            response.Dispose();
            Assert.Equal(path == "/empty" && method != HttpMethod.Head ? 204 : 200, status);
        }

        Assert.Equal(1, replica.Connections);
    }

    [Theory]
    [InlineData(0)] // the close is usually seen before the next request: the idle read discards the connection
    [InlineData(300)] // the next request is sent on the dropped connection (unless the client takes 300 ms to send it): the replica resets it, the gateway retries (fails with the retry disabled)
    public async Task A_kept_alive_connection_the_replica_dropped_is_retried_on_a_new_one(int closeAfterMs)
    {
        // The replica closes every connection after answering without saying so (as when its keep-alive timeout fires).
        // GET, because only idempotent requests are retried: a POST that races the close is a 502 by design (it may have
        // run; see ForwardingPolicyTests).
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(RawBackend.Ok("{\"ok\":true}")));
            await Task.Delay(closeAfterMs);
            return false;
        });
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);

        for (int i = 0; i < 5; i++)
        {
            var (status, body, response) = await gateway.SendAsync(Host, "/v1/models/iris?n=" + i, HttpMethod.Get);
            response.Dispose();
            Assert.Equal((200, "{\"ok\":true}"), (status, body?.ToJsonString()));
        }

        Assert.Equal(5, replica.Requests.Count); // each request reached the replica exactly once
        Assert.Equal(5, replica.Connections);
    }

    [Theory]
    [InlineData("HTTP/1.1 abc\r\n\r\n", "bad status line")]
    [InlineData("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", "bad status line")]
    [InlineData("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", "bad status line")]
    [InlineData("HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n", "bad status line")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "bad Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello", "bad Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -0\r\n\r\n", "bad Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", "bad Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line")]
    [InlineData("HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "bad header line")]
    [InlineData("HTTP/1.1 200 OK\r\nX-Cr: a\rb\r\nContent-Length: 0\r\n\r\n", "bad header line")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello", "a Transfer-Encoding other than chunked")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "a Transfer-Encoding other than chunked")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", "bad chunk size")]
    public async Task A_malformed_response_is_a_502_that_names_the_problem(string answer, string expected)
    {
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(answer));
            return false;
        });
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);

        // Nothing has reached the client yet (the head is only copied, not sent): a clean 502, not a cut connection.
        var (status, body, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        response.Dispose();
        Assert.Equal(502, status);
        Assert.Equal($"{{\"error\":\"the replica failed: {expected}", body[..(30 + expected.Length)]);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal); // never the replica's address (a pod IP in a cluster)
        Assert.DoesNotContain("abc", body, StringComparison.Ordinal); // nor its bytes
        Assert.DoesNotContain("zz", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_response_header_beyond_ASCII_reaches_the_client_as_its_bytes(ForwarderMode mode)
    {
        await using var replica = RawBackend.Answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Name: caf\u00c3\u00a9\r\n\r\n{}"); // UTF-8 of café
        await using var gateway = await StartAsync(mode, replica);

        string response = await RawExchangeAsync(gateway.Inference,
            $"POST /v1/models/iris:predict HTTP/1.1\r\nHost: {Host}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}");

        Assert.StartsWith("HTTP/1.1 200", response);
        Assert.Contains("\r\nX-Name: caf\u00c3\u00a9\r\n", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_a_replica_sends_on_an_idle_connection_never_answer_the_next_request()
    {
        // The replica answers, then later says 408 and closes, as servers do when their keep-alive timeout fires.
        int served = 0;
        var lateAnswerSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            int n = Interlocked.Increment(ref served);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(RawBackend.Ok($"{{\"n\":{n}}}")));
            await Task.Delay(200);
            await stream.WriteAsync("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
            lateAnswerSent.TrySetResult();
            return false;
        });
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);

        var (first, firstBody, r1) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        r1.Dispose();
        // On loopback the bytes are in the gateway's socket once written; the pooled connection's idle read then completes on
        // the socket engine's thread, a moment later. A request sent within that moment would race it (as with any HTTP/1.1
        // client); this test is about the late answer seen, so it gives that moment generously.
        await lateAnswerSent.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(1000);
        var (second, secondBody, r2) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        r2.Dispose();

        Assert.Equal((200, "{\"n\":1}"), (first, firstBody));
        Assert.Equal((200, "{\"n\":2}"), (second, secondBody));
        Assert.Equal(2, replica.Connections);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "chunked")] // both: chunked wins, no reuse
    [InlineData("Connection: close\r\nConnection: keep-alive\r\nContent-Length: 12\r\n", "length")] // a close anywhere wins
    public async Task Ambiguous_framing_is_read_safely_and_the_connection_not_reused(string headers, string body)
    {
        string payload = body == "chunked" ? "c\r\nhello, world\r\n0\r\n\r\n" : "hello, world";
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\n{headers}\r\n{payload}"));
            return body != "close";
        });
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);

        for (int i = 0; i < 2; i++)
        {
            var (status, text, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
            response.Dispose();
            Assert.Equal((200, "hello, world"), (status, text));
        }

        Assert.Equal(2, replica.Connections);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_request_header_beyond_ASCII_reaches_the_replica_as_its_bytes(ForwarderMode mode)
    {
        await using var replica = RawBackend.Answering(RawBackend.Ok("{}"));
        await using var gateway = await StartAsync(mode, replica);

        // $'X-U: h\xc3\xa9llo' (UTF-8), and a byte that is no UTF-8 at all
        string response = await RawExchangeAsync(gateway.Inference,
            "POST /v1/models/iris:predict HTTP/1.1\r\nHost: " + Host + "\r\nContent-Length: 2\r\nX-U: h\u00c3\u00a9llo\r\nX-L: caf\u00e9\r\nConnection: close\r\n\r\n{}");

        Assert.StartsWith("HTTP/1.1 200", response);
        var seen = Assert.Single(replica.Requests); // RawBackend reads header bytes as Latin-1: one char per byte
        Assert.Equal("h\u00c3\u00a9llo", seen.One("X-U"));
        Assert.Equal("caf\u00e9", seen.One("X-L"));
        Assert.DoesNotContain("code=\"502\"", await gateway.AdminAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_cut_short_aborts_the_client_response()
    {
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"u8.ToArray());
            return false;
        });
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);

        await Assert.ThrowsAnyAsync<Exception>(() => gateway.PostAsync(Host, "/v1/models/iris:predict", "{}"));
        await WaitForMetricAsync(gateway, "code=\"502\"} 1");
    }

    [Fact]
    public async Task A_silent_replica_is_a_504_after_the_backend_timeout()
    {
        await using var replica = RawBackend.Silent();
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica, TimeSpan.FromMilliseconds(500));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var (status, body, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        response.Dispose();

        Assert.Equal(504, status);
        Assert.Equal("{\"error\":\"the replica did not answer in time\"}", body);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(20)); // its own timeout, not a longer one
        await ActivatorTests.WaitUntilAsync(() => replica.ClosedByPeer == 1); // the connection is not reused
    }

    [Fact]
    public async Task A_client_that_leaves_closes_its_replica_connection()
    {
        await using var replica = RawBackend.Silent();
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);
        using var leave = new CancellationTokenSource();

        var request = gateway.PostAsync(Host, "/v1/models/iris:predict", "{}", cancellationToken: leave.Token);
        await ActivatorTests.WaitUntilAsync(() => !replica.Requests.IsEmpty);
        leave.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await ActivatorTests.WaitUntilAsync(() => replica.ClosedByPeer == 1);
        await ActivatorTests.WaitUntilAsync(() => gateway.Catalog.Revisions.Single().Stats.Concurrency == 0);
    }

    [Fact]
    public async Task Requests_the_direct_path_does_not_take_go_through_YARP_intact()
    {
        await using var replica = RawBackend.Start(async (request, stream) =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(RawBackend.Ok($"{{\"bytes\":{request.Body.Length}}}")));
            return true;
        });
        await using var gateway = await StartAsync(ForwarderMode.Direct, replica);
        var large = new string('x', Http1Forwarder.MaxBody + 1);

        // A body of unknown length (chunked), one over the direct path's limit, and one behind Expect: 100-continue.
        using (var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/models/iris:predict") { Content = new StreamContent(new MemoryStream("{\"a\":1}"u8.ToArray())) })
        {
            chunked.Headers.Host = Host;
            chunked.Headers.TransferEncodingChunked = true;
            using var response = await gateway.Client.SendAsync(chunked);
            Assert.Equal("{\"bytes\":7}", await response.Content.ReadAsStringAsync());
            Assert.True(replica.Requests.TryDequeue(out var seen));
            Assert.Equal("chunked", seen.One("Transfer-Encoding")); // YARP streamed it; the direct path never sends chunked
        }

        var (status, body, r) = await gateway.PostAsync(Host, "/v1/models/iris:predict", large);
        r.Dispose();
        Assert.Equal((200, $"{{\"bytes\":{large.Length}}}"), (status, body));

        using (var expect = new HttpRequestMessage(HttpMethod.Post, "/v1/models/iris:predict") { Content = new StringContent("{\"b\":2}") })
        {
            expect.Headers.Host = Host;
            expect.Headers.ExpectContinue = true;
            using var response = await gateway.Client.SendAsync(expect);
            Assert.Equal("{\"bytes\":7}", await response.Content.ReadAsStringAsync());
            Assert.Equal("100-continue", replica.Requests.Last().One("Expect")); // only YARP passes Expect on
        }
    }

    [Fact]
    public void The_direct_path_takes_plain_HTTP1_requests_with_small_declared_bodies_only()
    {
        static HttpRequest Request(string protocol = "HTTP/1.1", long? length = 10, params (string, string)[] headers)
        {
            var context = new DefaultHttpContext();
            context.Request.Protocol = protocol;
            context.Request.Method = "POST";
            context.Request.ContentLength = length;
            foreach (var (name, value) in headers)
            {
                context.Request.Headers[name] = value;
            }

            return context.Request;
        }

        Assert.True(Http1Forwarder.Accepts(Request()));
        Assert.True(Http1Forwarder.Accepts(Request(length: null)));
        Assert.True(Http1Forwarder.Accepts(Request("HTTP/1.0")));
        Assert.True(Http1Forwarder.Accepts(Request(length: Http1Forwarder.MaxBody)));
        Assert.False(Http1Forwarder.Accepts(Request(length: Http1Forwarder.MaxBody + 1)));
        Assert.False(Http1Forwarder.Accepts(Request(length: null, headers: ("Transfer-Encoding", "chunked"))));
        Assert.False(Http1Forwarder.Accepts(Request("HTTP/2")));
        Assert.False(Http1Forwarder.Accepts(Request(headers: ("Expect", "100-continue"))));
        Assert.False(Http1Forwarder.Accepts(Request(headers: ("Upgrade", "websocket"))));
        Assert.Null(ReplicaConnections.For("https://127.0.0.1:9000"));
        Assert.Null(ReplicaConnections.For("http://127.0.0.1:9000/prefix"));
        Assert.Equal("127.0.0.1:9000", ReplicaConnections.For("http://127.0.0.1:9000/")!.Authority);
        Assert.Equal("replica.ns.svc:8080", ReplicaConnections.For("http://replica.ns.svc:8080")!.Authority);
    }

    [Fact]
    public async Task A_replica_leaving_routing_has_its_idle_connections_closed()
    {
        await using var first = RawBackend.Answering(RawBackend.Ok("{\"r\":1}"));
        await using var second = RawBackend.Answering(RawBackend.Ok("{\"r\":2}"));
        await using var gateway = await StartAsync(ForwarderMode.Direct, first);
        var (_, body, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        response.Dispose();
        Assert.Equal("{\"r\":1}", body);

        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(second.Address, true)));

        await ActivatorTests.WaitUntilAsync(() => first.ClosedByPeer == 1);
        (_, body, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        response.Dispose();
        Assert.Equal("{\"r\":2}", body);
    }

    internal static async Task<TestGateway> StartAsync(ForwarderMode mode, RawBackend replica, TimeSpan? backendTimeout = null)
    {
        var gateway = await TestGateway.StartAsync(o => o with { Forwarder = mode, BackendTimeout = backendTimeout ?? o.BackendTimeout });
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(replica.Address, true)));
        return gateway;
    }

    private static async Task WaitForMetricAsync(TestGateway gateway, string text)
    {
        for (int i = 0; i < 300 && !(await gateway.AdminAsync("/metrics")).Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        Assert.Contains(text, await gateway.AdminAsync("/metrics"), StringComparison.Ordinal);
    }

    /// <summary>Writes <paramref name="request"/> as it is to the gateway and reads until the gateway closes (the request says Connection: close).</summary>
    internal static async Task<string> RawExchangeAsync(Uri gateway, string request, Encoding? encoding = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.Host, gateway.Port);
        var stream = client.GetStream();
        await stream.WriteAsync((encoding ?? Encoding.Latin1).GetBytes(request));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received).WaitAsync(TimeSpan.FromSeconds(30));
        return Encoding.Latin1.GetString(received.ToArray());
    }
}
