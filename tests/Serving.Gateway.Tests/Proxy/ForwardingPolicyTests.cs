using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Proxy;
using Serving.Gateway.Tests.Activation;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Proxy;

/// <summary>
/// The gateway's forwarding policy against hostile clients and replicas, on both paths: body limits, who may speak
/// about where a request came from, no replay of requests that may have run, bounded connections, virtual-time timeouts.
/// </summary>
public sealed class ForwardingPolicyTests
{
    private const string Host = "iris.default.example.com";

    public static TheoryData<ForwarderMode> Modes => [ForwarderMode.Direct, ForwarderMode.Yarp];

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_declared_body_over_the_limit_is_413_at_once_and_the_upload_is_not_read(ForwarderMode mode)
    {
        await using var replica = RawBackend.Answering(RawBackend.Ok("{}"));
        await using var gateway = await StartAsync(mode, replica, o => o with { MaxRequestBodyBytes = 10_000 });
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.Inference.Host, gateway.Inference.Port);
        var stream = client.GetStream();

        // Only the head: the answer must not wait for the 20,000 bytes announced.
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/models/iris:predict HTTP/1.1\r\nHost: {Host}\r\nContent-Length: 20000\r\n\r\n"));
        string response = await ReadUntilCloseAsync(stream);

        Assert.StartsWith("HTTP/1.1 413", response);
        Assert.Contains("Connection: close", response, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("larger than the gateway's limit of 10000 bytes", response, StringComparison.Ordinal);
        Assert.Empty(replica.Requests);
        Assert.Equal(0, replica.Connections);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_chunked_body_over_the_limit_is_413_at_the_limit_and_the_connection_closed(ForwarderMode mode)
    {
        await using var replica = RawBackend.Answering(RawBackend.Ok("{}"));
        await using var gateway = await StartAsync(mode, replica, o => o with { MaxRequestBodyBytes = 100_000 });
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.Inference.Host, gateway.Inference.Port);
        var stream = client.GetStream();
        long sent = 0;
        const long Total = 64L << 20;
        var upload = Task.Run(async () =>
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1/models/iris:predict HTTP/1.1\r\nHost: {Host}\r\nTransfer-Encoding: chunked\r\n\r\n"));
            var chunk = Encoding.ASCII.GetBytes("4000\r\n" + new string('x', 0x4000) + "\r\n");
            while (sent < Total)
            {
                await stream.WriteAsync(chunk);
                sent += 0x4000;
            }
        });

        string response = await ReadUntilCloseAsync(stream);
        var uploadError = await Record.ExceptionAsync(() => upload);

        Assert.True(response.StartsWith("HTTP/1.1 413", StringComparison.Ordinal), response);
        Assert.True(response.Contains("larger than the gateway's limit of 100000 bytes", StringComparison.Ordinal), response);
        Assert.NotNull(uploadError); // the gateway closed the connection instead of draining the 64 MiB
        Assert.True(sent < Total / 2, $"{sent} bytes were sent before the gateway closed");
        Assert.DoesNotContain("code=\"502\"", await gateway.AdminAsync("/metrics"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_trusted_proxy_speaks_for_the_client_and_others_do_not(ForwarderMode mode)
    {
        await using var replica = RawBackend.Answering(RawBackend.Ok("{}"));
        const string Claims = "X-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: front.example\r\n" +
                              "X-Forwarded-Prefix: /outer\r\nForwarded: for=10.0.0.1\r\nX-Real-IP: 10.0.0.1\r\n";

        await using (var trusting = await StartAsync(mode, replica, o => o with { TrustedProxies = TrustedProxies.Parse("10.0.0.0/8, 127.0.0.1/32") }))
        {
            await ForwardingTests.RawExchangeAsync(trusting.Inference,
                $"POST /serving/default/iris/v1/models/iris:predict HTTP/1.1\r\nHost: gw\r\n{Claims}Content-Length: 2\r\nConnection: close\r\n\r\n{{}}");
        }

        await using (var untrusting = await StartAsync(mode, replica))
        {
            await ForwardingTests.RawExchangeAsync(untrusting.Inference,
                $"POST /v1/models/iris:predict HTTP/1.1\r\nHost: {Host}\r\n{Claims}Content-Length: 2\r\nConnection: close\r\n\r\n{{}}");
        }

        var requests = replica.Requests.ToArray();
        var trusted = requests[0];
        Assert.Equal("10.0.0.1, 127.0.0.1", trusted.One("X-Forwarded-For"));
        Assert.Equal("https", trusted.One("X-Forwarded-Proto"));
        Assert.Equal("front.example", trusted.One("X-Forwarded-Host"));
        Assert.Equal("/outer/serving/default/iris", trusted.One("X-Forwarded-Prefix"));
        Assert.Equal("for=10.0.0.1", trusted.One("Forwarded"));
        Assert.Equal("10.0.0.1", trusted.One("X-Real-IP"));

        var untrusted = requests[1];
        Assert.Equal("127.0.0.1", untrusted.One("X-Forwarded-For"));
        Assert.Equal("http", untrusted.One("X-Forwarded-Proto"));
        Assert.Equal(Host, untrusted.One("X-Forwarded-Host"));
        Assert.Empty(untrusted.All("X-Forwarded-Prefix")); // the host form has none, and the client's is dropped
        Assert.Empty(untrusted.All("Forwarded"));
        Assert.Empty(untrusted.All("X-Real-IP"));
    }

    [Theory]
    [InlineData(ForwarderMode.Direct, "POST", "{}", 502, 1)]
    [InlineData(ForwarderMode.Yarp, "POST", "{}", 502, 1)]
    [InlineData(ForwarderMode.Direct, "POST", null, 502, 1)]
    [InlineData(ForwarderMode.Yarp, "POST", null, 502, 1)]
    [InlineData(ForwarderMode.Direct, "GET", null, 200, 2)]
    [InlineData(ForwarderMode.Yarp, "GET", null, 200, 2)]
    [InlineData(ForwarderMode.Direct, "PUT", "{}", 200, 2)]
    [InlineData(ForwarderMode.Yarp, "PUT", "{}", 502, 1)] // SocketsHttpHandler replays nothing whose body it began to send (documented)
    public async Task A_request_that_may_have_run_is_replayed_only_when_idempotent(ForwarderMode mode, string method, string? body, int expected, int copies)
    {
        // The replica answers the first request of each connection and closes the connection on the second without a word.
        var served = new ConcurrentDictionary<Stream, int>();
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            if (served.AddOrUpdate(stream, 1, (_, n) => n + 1) > 1)
            {
                return false;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(RawBackend.Ok("{\"ok\":1}")));
            return true;
        });
        await using var gateway = await StartAsync(mode, replica);

        int first = await SendAsync(gateway, method, body, "?n=1");
        int second = await SendAsync(gateway, method, body, "?n=2");

        Assert.Equal(200, first);
        Assert.Equal(expected, second);
        Assert.Equal(copies, replica.Requests.Count(r => r.RequestLine.Contains("?n=2", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Connections_to_a_replica_are_bounded_and_requests_beyond_wait(ForwarderMode mode)
    {
        await using var replica = RawBackend.Start(async (_, stream) =>
        {
            await Task.Delay(50);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(RawBackend.Ok("{}")));
            return true;
        });
        await using var gateway = await StartAsync(mode, replica, o => o with { MaxConnectionsPerReplica = 2 });

        int[] statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SendAsync(gateway, "POST", "{}")));

        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.InRange(replica.Connections, 1, 2);
    }

    [Fact]
    public async Task The_replica_timeout_runs_on_the_gateways_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var replica = RawBackend.Silent();
        await using var gateway = await TestGateway.StartAsync(o => o with { BackendTimeout = TimeSpan.FromMinutes(5) }, time: time);
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(replica.Address, true)));

        var request = gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        await ActivatorTests.WaitUntilAsync(() => !replica.Requests.IsEmpty);
        time.Advance(TimeSpan.FromMinutes(4));
        await Task.Delay(100);
        Assert.False(request.IsCompleted); // four virtual minutes: still waiting
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));

        var (status, body, response) = await request.WaitAsync(TimeSpan.FromSeconds(30));
        response.Dispose();
        Assert.Equal((504, "{\"error\":\"the replica did not answer in time\"}"), (status, body));
    }

    [Fact]
    public async Task Trailers_are_bounded()
    {
        string trailers = string.Concat(Enumerable.Range(0, 400).Select(i => $"X-T{i}: {new string('t', 50)}\r\n"));
        await using var replica = RawBackend.Answering($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n{trailers}\r\n");
        await using var gateway = await ForwardingTests.StartAsync(ForwarderMode.Direct, replica);

        var (status, body, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        response.Dispose();

        Assert.Equal(502, status);
        Assert.Contains("the replica failed: the response's trailers are larger than 16384 bytes", body, StringComparison.Ordinal);
    }

    private static async Task<TestGateway> StartAsync(ForwarderMode mode, RawBackend replica, Func<GatewayOptions, GatewayOptions>? options = null)
    {
        var gateway = await TestGateway.StartAsync(o => (options?.Invoke(o) ?? o) with { Forwarder = mode });
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(replica.Address, true)));
        return gateway;
    }

    private static async Task<int> SendAsync(TestGateway gateway, string method, string? body, string query = "")
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/v1/models/iris:predict" + query) { Content = body is null ? null : new StringContent(body) };
        request.Headers.Host = Host;
        using var response = await gateway.Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static async Task<string> ReadUntilCloseAsync(NetworkStream stream)
    {
        using var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30))) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // a reset after the response: the gateway closed with unread upload bytes
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }
}
