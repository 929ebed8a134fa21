using System.Collections.Concurrent;
using Externalscaler;
using Grpc.Net.Client;

namespace Serving.TestCluster.Keda;

/// <summary>
/// One gRPC connection per scaler address, shared by every ScaledObject naming it (KEDA's connection pool): their
/// StreamIsActive streams and polling calls share one HTTP/2 connection. Plain text only (no <c>enableTLS</c>).
/// </summary>
internal sealed class ScalerConnections : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(GrpcChannel Channel, ExternalScaler.ExternalScalerClient Client)>> _connections = new(StringComparer.Ordinal);

    public ExternalScaler.ExternalScalerClient For(string address) =>
        _connections.GetOrAdd(address, a => new Lazy<(GrpcChannel, ExternalScaler.ExternalScalerClient)>(() =>
        {
            var channel = GrpcChannel.ForAddress($"http://{a}", new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
            });
            return (channel, new ExternalScaler.ExternalScalerClient(channel));
        })).Value.Item2;

    public void Dispose()
    {
        foreach (var connection in _connections.Values.Where(c => c.IsValueCreated))
        {
            connection.Value.Channel.Dispose();
        }
    }
}
