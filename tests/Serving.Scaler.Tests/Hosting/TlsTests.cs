using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Externalscaler;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Scaler.Feed;
using Serving.Scaler.Hosting;
using Serving.Scaler.Tests.Infrastructure;

namespace Serving.Scaler.Tests.Hosting;

/// <summary>
/// KEDA's TLS settings against the scaler's <c>--tls-cert/--tls-key</c> (KEDA <c>caCert</c>) and <c>--tls-client-ca</c>
/// (KEDA <c>tlsClientCert</c>/<c>tlsClientKey</c>), with certificates made for the test and read from PEM files.
/// </summary>
public sealed class TlsTests : IAsyncLifetime
{
    private static readonly RevisionId Revision = new("default", "tls", "predictor", "tls-predictor-00001");
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly InMemoryMetricsStore _store = new();

    public Task InitializeAsync() => _store.PublishAsync(
        new ReplicaReport("a", DateTimeOffset.UtcNow, [new RevisionLoad(Revision, 0, 0)]), TimeSpan.FromMinutes(5), CancellationToken.None);

    public Task DisposeAsync()
    {
        _certificates.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ServesTlsWithTheGivenCertificateAndRefusesPlainText()
    {
        await using var scaler = await TestScaler.StartAsync(
            o => o with { TlsCertificate = _certificates.ServerCertFile, TlsKey = _certificates.ServerKeyFile }, _store);
        Assert.Equal(Uri.UriSchemeHttps, scaler.Address.Scheme);

        X509Certificate2? presented = null;
        using (var trusting = Connect(scaler.Address, _certificates.Ca, clientCertificate: null, c => presented = c))
        {
            Assert.False(await IsActiveAsync(trusting));
        }

        Assert.Equal(_certificates.Server.Thumbprint, presented?.Thumbprint);

        // A client that does not trust the CA (the system's roots only) refuses the server.
        using var untrusting = GrpcChannel.ForAddress(scaler.Address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false } });
        await RefusedAsync(untrusting, StatusCode.Internal);

        // KEDA without enableTLS speaks h2c: no answer over plain text.
        using var plain = GrpcChannel.ForAddress(new UriBuilder(scaler.Address) { Scheme = Uri.UriSchemeHttp }.Uri);
        await RefusedAsync(plain);
    }

    [Fact]
    public async Task WithAClientCaOnlyClientsWithACertificateItSignedAreServed()
    {
        await using var scaler = await TestScaler.StartAsync(
            o => o with { TlsCertificate = _certificates.ServerCertFile, TlsKey = _certificates.ServerKeyFile, TlsClientCa = _certificates.CaFile },
            _store);

        using (var keda = Connect(scaler.Address, _certificates.Ca, _certificates.Client))
        {
            Assert.False(await IsActiveAsync(keda));
            using var stream = new ExternalScaler.ExternalScalerClient(keda).StreamIsActive(Ref());
            Assert.True(await stream.ResponseStream.MoveNext());
            Assert.False(stream.ResponseStream.Current.Result);
        }

        using (var anonymous = Connect(scaler.Address, _certificates.Ca, clientCertificate: null))
        {
            await RefusedAsync(anonymous);
        }

        using (var stranger = Connect(scaler.Address, _certificates.Ca, _certificates.Stranger))
        {
            await RefusedAsync(stranger);
        }

        // The server's own certificate is signed by the same CA but is not for client authentication.
        using (var wrongUse = Connect(scaler.Address, _certificates.Ca, _certificates.Server))
        {
            await RefusedAsync(wrongUse);
        }
    }

    [Fact]
    public async Task EveryCaOfAClientCaBundleIsTrusted()
    {
        string bundle = _certificates.Write("bundle.crt", _certificates.OtherCa.ExportCertificatePem() + "\n" + _certificates.Ca.ExportCertificatePem());
        await using var scaler = await TestScaler.StartAsync(
            o => o with { TlsCertificate = _certificates.ServerCertFile, TlsKey = _certificates.ServerKeyFile, TlsClientCa = bundle },
            _store);

        foreach (var client in new[] { _certificates.Client, _certificates.Stranger })
        {
            using var channel = Connect(scaler.Address, _certificates.Ca, client);
            Assert.False(await IsActiveAsync(channel));
        }
    }

    [Fact]
    public async Task AMissingOrBrokenFileStopsTheScalerWithAnErrorNamingTheOptionAndFile()
    {
        string missing = Path.Combine(_certificates.Folder, "nope.crt");
        string garbage = _certificates.Write("garbage.crt", "not a certificate");
        string otherKey = _certificates.Write("other.key", _certificates.Client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        foreach (var (options, option, file) in new[]
        {
            (Tls(missing, _certificates.ServerKeyFile, null), "--tls-cert", missing),
            (Tls(garbage, _certificates.ServerKeyFile, null), "--tls-cert", garbage),
            (Tls(_certificates.ServerCertFile, otherKey, null), "--tls-cert", _certificates.ServerCertFile),
            (Tls(_certificates.ServerCertFile, _certificates.ServerKeyFile, missing), "--tls-client-ca", missing),
            (Tls(_certificates.ServerCertFile, _certificates.ServerKeyFile, garbage), "--tls-client-ca", garbage),
        })
        {
            var e = Assert.Throws<ScalerOptionsException>(() => ScalerHost.Build(options, _store));
            Assert.StartsWith($"{option} '{file}': expected ", e.Message, StringComparison.Ordinal);
        }

        // The command line: exit code 2, no listener left behind.
        Assert.Equal(2, await ScalerHost.RunAsync(["--port", "0", "--redis", "127.0.0.1:1", "--tls-cert", garbage, "--tls-key", _certificates.ServerKeyFile]));
    }

    private static ScalerOptions Tls(string cert, string key, string? clientCa) =>
        new() { Port = 0, TlsCertificate = cert, TlsKey = key, TlsClientCa = clientCa };

    private static ScaledObjectRef Ref() => TestScaler.Ref(Revision.Service, Revision.Revision);

    private static async Task<bool> IsActiveAsync(GrpcChannel channel) =>
        (await new ExternalScaler.ExternalScalerClient(channel).IsActiveAsync(Ref(), deadline: DateTime.UtcNow.AddSeconds(10))).Result;

    /// <summary>
    /// The call fails: the server closing the connection shows as <c>UNAVAILABLE</c>, or as <c>INTERNAL</c> when the
    /// refusal of a client certificate arrives after the TLS 1.3 handshake has completed on the client's side; a client
    /// that refuses the server gets <c>INTERNAL</c>.
    /// </summary>
    private static async Task RefusedAsync(GrpcChannel channel, StatusCode expected = StatusCode.Unavailable)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => IsActiveAsync(channel));
        StatusCode[] allowed = expected == StatusCode.Unavailable ? [StatusCode.Unavailable, StatusCode.Internal] : [expected];
        Assert.Contains(e.StatusCode, allowed);
    }

    /// <summary>A KEDA-like TLS channel: trusts only <paramref name="ca"/> (KEDA's <c>caCert</c>), checks the name, may present a certificate.</summary>
    private static GrpcChannel Connect(Uri address, X509Certificate2 ca, X509Certificate2? clientCertificate, Action<X509Certificate2>? presented = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            var server = new X509Certificate2(certificate);
            presented?.Invoke(server);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(server);
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
