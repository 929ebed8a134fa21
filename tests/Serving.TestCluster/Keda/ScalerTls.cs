using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serving.TestCluster.Keda;

/// <summary>
/// How KEDA dials an external scaler (<c>externalScalerMetadata</c>, shared/reference/autoscaling.md §1.2):
/// <c>enableTLS</c> and <c>unsafeSsl</c> from the trigger's metadata; <c>caCert</c>, <c>tlsClientCert</c> and
/// <c>tlsClientKey</c> (PEM content) only from the TriggerAuthentication's authParams. TLS is used if <c>enableTLS</c>, a
/// client certificate or <c>caCert</c> is set; otherwise plain text. A value of the record is part of the connection key.
/// </summary>
public sealed record ScalerTls(bool EnableTls, bool UnsafeSsl, string? CaCert, string? ClientCert, string? ClientKey)
{
    public const string EnableTlsKey = "enableTLS";
    public const string UnsafeSslKey = "unsafeSsl";
    public const string CaCertKey = "caCert";
    public const string ClientCertKey = "tlsClientCert";
    public const string ClientKeyKey = "tlsClientKey";

    public static ScalerTls PlainText { get; } = new(false, false, null, null, null);

    public bool UsesTls => EnableTls || ClientCert is not null || CaCert is not null;

    /// <exception cref="FormatException">A value KEDA would refuse too; the message names the key.</exception>
    public static ScalerTls Parse(IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, string> authParams)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(authParams);
        var tls = new ScalerTls(
            Boolean(metadata, EnableTlsKey), Boolean(metadata, UnsafeSslKey), NonEmpty(authParams, CaCertKey), NonEmpty(authParams, ClientCertKey), NonEmpty(authParams, ClientKeyKey));
        if ((tls.ClientCert is null) != (tls.ClientKey is null))
        {
            throw new FormatException($"{ClientCertKey} and {ClientKeyKey} go together: only one of them is set");
        }

        // Read them once here so that a broken PEM fails the ScaledObject, named, rather than every dial.
        foreach (var certificate in tls.CaCertificates())
        {
            certificate.Dispose();
        }

        tls.ClientCertificate()?.Dispose();
        return tls;
    }

    /// <summary>The certificates of <c>caCert</c> (a bundle may hold several), trusted on top of the system's.</summary>
    public X509Certificate2Collection CaCertificates()
    {
        var certificates = new X509Certificate2Collection();
        if (CaCert is not null)
        {
            try
            {
                certificates.ImportFromPem(CaCert);
            }
            catch (CryptographicException e)
            {
                throw new FormatException($"{CaCertKey}: not PEM certificates ({e.Message})", e);
            }

            if (certificates.Count == 0)
            {
                throw new FormatException($"{CaCertKey}: no PEM certificate in it");
            }
        }

        return certificates;
    }

    /// <summary>The client certificate with its key (<c>tlsClientCert</c> + <c>tlsClientKey</c>), or null.</summary>
    public X509Certificate2? ClientCertificate()
    {
        if (ClientCert is null || ClientKey is null)
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(ClientCert, ClientKey);
        }
        catch (CryptographicException e)
        {
            throw new FormatException($"{ClientCertKey}/{ClientKeyKey}: not a PEM certificate and its key ({e.Message})", e);
        }
    }

    /// <summary>Go's <c>strconv.ParseBool</c>, which KEDA's typed metadata uses; absent or empty is false.</summary>
    private static bool Boolean(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.GetValueOrDefault(key) switch
        {
            null or "" => false,
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            var other => throw new FormatException($"{key}: '{other}' is not a boolean"),
        };

    /// <summary>KEDA checks these by length: an empty value is as good as none.</summary>
    private static string? NonEmpty(IReadOnlyDictionary<string, string> values, string key) =>
        values.GetValueOrDefault(key) is { Length: > 0 } value ? value : null;
}
