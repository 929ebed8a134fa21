using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Serving.Scaler.Tests.Infrastructure;

/// <summary>
/// A throwaway PKI in a temp folder, as an operator would hand KEDA and the scaler: a CA, a server certificate for
/// 127.0.0.1/localhost and a client certificate it signed, and a client certificate from an unrelated CA. PEM files.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private readonly List<X509Certificate2> _owned = [];

    private TestCertificates(string folder)
    {
        Folder = folder;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Ca = Own(SelfSignedCa("serving-test-ca", caKey));
        Server = Own(Issue(Ca, caKey, "serving-scaler", ServerAuth, withIpAndDns: true));
        Client = Own(Issue(Ca, caKey, "keda-operator", ClientAuth, withIpAndDns: false));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        OtherCa = Own(SelfSignedCa("someone-else-ca", otherKey));
        Stranger = Own(Issue(OtherCa, otherKey, "keda-operator", ClientAuth, withIpAndDns: false));

        Write("ca.crt", Ca.ExportCertificatePem());
        Write("server.crt", Server.ExportCertificatePem());
        Write("server.key", Server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    public string Folder { get; }

    public X509Certificate2 Ca { get; }

    /// <summary>Serves 127.0.0.1 and localhost; signed by <see cref="Ca"/>.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>KEDA's <c>tlsClientCert</c>: signed by <see cref="Ca"/>, with its private key.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>A CA unrelated to <see cref="Ca"/>.</summary>
    public X509Certificate2 OtherCa { get; }

    /// <summary>A client certificate with its key, signed by <see cref="OtherCa"/>.</summary>
    public X509Certificate2 Stranger { get; }

    public string CaFile => Path.Combine(Folder, "ca.crt");

    public string ServerCertFile => Path.Combine(Folder, "server.crt");

    public string ServerKeyFile => Path.Combine(Folder, "server.key");

    public static TestCertificates Create() => new(Directory.CreateTempSubdirectory("scaler-tls").FullName);

    public void Dispose()
    {
        foreach (var certificate in _owned)
        {
            certificate.Dispose();
        }

        Directory.Delete(Folder, recursive: true);
    }

    private X509Certificate2 Own(X509Certificate2 certificate)
    {
        _owned.Add(certificate);
        return certificate;
    }

    /// <summary>Writes a file in <see cref="Folder"/>; returns its path.</summary>
    public string Write(string name, string content)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static X509Certificate2 SelfSignedCa(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, ECDsa caKey, string name, Oid usage, bool withIpAndDns)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (withIpAndDns)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var signer = X509SignatureGenerator.CreateForECDsa(caKey);
        using var issued = request.Create(ca.SubjectName, signer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
