using System.Net;
using System.Net.Sockets;
using Serving.Gateway.Model;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Proxy;

public sealed class RefusedConnectionTests
{
    [Fact]
    public async Task A_replica_that_refuses_connections_costs_no_request_while_another_is_ready()
    {
        await using var gateway = await TestGateway.StartAsync();
        await using var alive = await TestBackend.StartAsync("alive");
        using var port = DeadPort();
        string dead = Address(port);
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0,
            new EndpointRoute(dead, Ready: true), new EndpointRoute(alive.Address, Ready: true)));

        var answers = new List<int>();
        for (int i = 0; i < 20; i++)
        {
            var (status, body, response) = await gateway.PostAsync("iris.default.example.com", "/v1/models/iris:predict", "{}");
            response.Dispose();
            answers.Add(status);
            Assert.True(status == 200, body);
            Assert.Contains("alive", body, StringComparison.Ordinal);
        }

        Assert.All(answers, status => Assert.Equal(200, status));
    }

    [Fact]
    public async Task A_refused_connection_with_no_other_replica_is_a_502()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var port = DeadPort();
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(Address(port), Ready: true)));

        var (status, _, response) = await gateway.PostAsync("iris.default.example.com", "/v1/models/iris:predict", "{}");
        response.Dispose();

        Assert.Equal(502, status);
    }

    /// <summary>A loopback port held but not listened on: connections to it are refused at once, and no other test can take it.</summary>
    private static Socket DeadPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static string Address(Socket socket) => $"http://127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}";
}
