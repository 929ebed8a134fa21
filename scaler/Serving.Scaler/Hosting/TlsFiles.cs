using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Serving.Scaler.Hosting;

/// <summary>
/// The PEM files of <c>--tls-cert</c>, <c>--tls-key</c> and <c>--tls-client-ca</c>, read once at start so that a bad
/// file stops the scaler with a message naming the option and the file instead of failing every KEDA connection.
/// </summary>
internal sealed class TlsFiles
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private TlsFiles(X509Certificate2 server, X509Certificate2Collection chain, X509Certificate2Collection? clientCas)
    {
        Server = server;
        Chain = chain;
        ClientCas = clientCas;
    }

    public X509Certificate2 Server { get; }

    /// <summary>Intermediates that followed the server certificate in its file (cert-manager's <c>tls.crt</c> has them).</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>Every CA in the <c>--tls-client-ca</c> bundle; null when client certificates are not required.</summary>
    public X509Certificate2Collection? ClientCas { get; }

    /// <returns>Null when the options ask for plain h2c.</returns>
    /// <exception cref="ScalerOptionsException">A file is missing, unreadable, not PEM, or the key does not match.</exception>
    public static TlsFiles? Load(ScalerOptions options)
    {
        if (options.TlsCertificate is not { } certFile)
        {
            return null;
        }

        string keyFile = options.TlsKey ?? throw new ScalerOptionsException("--tls-cert and --tls-key go together");
        var server = Read("tls-cert", certFile, () => X509Certificate2.CreateFromPemFile(certFile, keyFile), "a PEM certificate whose key is in --tls-key");
        var chain = Read("tls-cert", certFile, () => Bundle(certFile), "PEM certificates");
        chain.RemoveAt(0);
        var clientCas = options.TlsClientCa is { } caFile ? Read("tls-client-ca", caFile, () => Bundle(caFile), "PEM CA certificates") : null;
        return new TlsFiles(server, chain, clientCas);
    }

    /// <summary>Serves TLS; with <see cref="ClientCas"/>, only to clients whose certificate one of them signed.</summary>
    public void Apply(HttpsConnectionAdapterOptions https)
    {
        https.ServerCertificate = Server;
        https.ServerCertificateChain = Chain;
        if (ClientCas is { } cas)
        {
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (client, _, _) => SignedBy(client, cas);
        }
    }

    private static bool SignedBy(X509Certificate2 client, X509Certificate2Collection cas)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(cas);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // Only certificates meant for client authentication: the server's own certificate, signed by the same CA in
        // many setups, must not open the door (a certificate without usages is valid for all of them).
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        return chain.Build(client);
    }

    private static X509Certificate2Collection Bundle(string file)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(file);
        return bundle.Count > 0 ? bundle : throw new CryptographicException("no CERTIFICATE block in it");
    }

    private static T Read<T>(string option, string file, Func<T> read, string expected)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ScalerOptionsException($"--{option} '{file}': expected {expected} ({e.Message})");
        }
    }
}
