using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Externalscaler;
using Grpc.Net.Client;

namespace Serving.TestCluster.Keda;

/// <summary>
/// One gRPC connection per scaler address and TLS settings, shared by every ScaledObject naming both (KEDA's connection
/// pool, <c>getClientForConnectionPool</c>): their StreamIsActive streams and polling calls share one HTTP/2 connection.
/// TLS as KEDA's <c>NewTLSConfig</c>: the server's certificate checked against the system's roots plus
/// <paramref name="trusted"/> (what KEDA already trusts) plus <c>caCert</c>, with the name checked, or not checked at all
/// with <c>unsafeSsl</c>; the client certificate from <c>tlsClientCert</c>/<c>tlsClientKey</c>.
/// </summary>
internal sealed class ScalerConnections(IReadOnlyList<X509Certificate2> trusted) : IDisposable
{
    private readonly ConcurrentDictionary<(string Address, ScalerTls Tls), Lazy<(GrpcChannel Channel, ExternalScaler.ExternalScalerClient Client)>> _connections = new();

    public ExternalScaler.ExternalScalerClient For(string address, ScalerTls tls) =>
        _connections.GetOrAdd((address, tls), key => new Lazy<(GrpcChannel, ExternalScaler.ExternalScalerClient)>(() =>
        {
            var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan };
            if (key.Tls.UsesTls)
            {
                handler.SslOptions = SslOptions(key.Tls);
            }

            var channel = GrpcChannel.ForAddress($"{(key.Tls.UsesTls ? "https" : "http")}://{key.Address}", new GrpcChannelOptions
            {
                HttpHandler = handler,
                DisposeHttpClient = true,
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

    private SslClientAuthenticationOptions SslOptions(ScalerTls tls)
    {
        var roots = tls.CaCertificates();
        roots.AddRange(trusted.ToArray());
        var options = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => tls.UnsafeSsl || errors == SslPolicyErrors.None || Trusted(certificate, errors, roots),
        };
        if (tls.ClientCertificate() is { } client)
        {
            options.ClientCertificates = [client];
        }

        return options;
    }

    /// <summary>Only an unknown root may be forgiven, when the chain ends at one of <paramref name="roots"/>; a wrong name never.</summary>
    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors || roots.Count == 0)
        {
            return false;
        }

        using var server = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }
}
