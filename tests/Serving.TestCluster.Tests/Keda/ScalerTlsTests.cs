using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Serving.TestCluster.Keda;

namespace Serving.TestCluster.Tests.Keda;

/// <summary>How the stand-in reads KEDA's TLS settings for an external scaler (shared/reference/autoscaling.md §1.2).</summary>
public sealed class ScalerTlsTests
{
    private static readonly (string Cert, string Key) Pem = SelfSigned();

    [Fact]
    public void Without_settings_KEDA_dials_in_plain_text()
    {
        var tls = ScalerTls.Parse(Map(("scalerAddress", "s:9090")), Map());
        Assert.Equal(ScalerTls.PlainText, tls);
        Assert.False(tls.UsesTls);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("", false)]
    public void EnableTLS_and_unsafeSsl_are_read_from_the_metadata_as_Go_booleans(string value, bool expected)
    {
        var tls = ScalerTls.Parse(Map(("enableTLS", value), ("unsafeSsl", value)), Map());
        Assert.Equal(expected, tls.EnableTls);
        Assert.Equal(expected, tls.UnsafeSsl);
        Assert.Equal(expected, tls.UsesTls);
    }

    [Fact]
    public void Certificates_come_only_from_authParams_and_a_CA_or_a_client_certificate_alone_means_TLS()
    {
        // The docs' example puts them in metadata; KEDA's code reads them from authParams only.
        Assert.False(ScalerTls.Parse(Map(("caCert", Pem.Cert), ("tlsClientCert", Pem.Cert), ("tlsClientKey", Pem.Key)), Map()).UsesTls);

        var ca = ScalerTls.Parse(Map(), Map(("caCert", Pem.Cert)));
        Assert.True(ca.UsesTls);
        Assert.Single(ca.CaCertificates());
        Assert.Null(ca.ClientCertificate());

        var client = ScalerTls.Parse(Map(), Map(("tlsClientCert", Pem.Cert), ("tlsClientKey", Pem.Key), ("caCert", "")));
        Assert.True(client.UsesTls);
        Assert.Null(client.CaCert); // empty is as good as none
        using var certificate = client.ClientCertificate();
        Assert.True(certificate?.HasPrivateKey);
    }

    [Fact]
    public void Settings_from_the_same_material_are_equal_and_different_material_is_not()
    {
        var auth = Map(("caCert", Pem.Cert));
        Assert.Equal(ScalerTls.Parse(Map(("enableTLS", "true")), auth), ScalerTls.Parse(Map(("enableTLS", "true")), Map(("caCert", Pem.Cert))));
        Assert.NotEqual(ScalerTls.Parse(Map(("enableTLS", "true")), auth), ScalerTls.Parse(Map(("enableTLS", "true")), Map()));
        Assert.NotEqual(ScalerTls.Parse(Map(("enableTLS", "true")), auth), ScalerTls.Parse(Map(("enableTLS", "true"), ("unsafeSsl", "true")), auth));
    }

    [Theory]
    [InlineData("enableTLS", "yes", "", "enableTLS: 'yes' is not a boolean")]
    [InlineData("unsafeSsl", "on", "", "unsafeSsl: 'on' is not a boolean")]
    [InlineData("", "", "caCert", "caCert: ")]
    [InlineData("", "", "tlsClientCert", "tlsClientCert and tlsClientKey go together")]
    public void What_KEDA_cannot_build_a_connection_from_is_refused_naming_the_key(string metadataKey, string value, string authKey, string message)
    {
        var metadata = metadataKey.Length > 0 ? Map((metadataKey, value)) : Map();
        var authParams = authKey switch
        {
            "caCert" => Map(("caCert", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----")),
            "tlsClientCert" => Map(("tlsClientCert", Pem.Cert)),
            _ => Map(),
        };
        var e = Assert.Throws<FormatException>(() => ScalerTls.Parse(metadata, authParams));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trigger_s_authenticationRef_defaults_to_a_TriggerAuthentication()
    {
        var scaledObject = JsonNode.Parse("""
            {"metadata": {"namespace": "ns", "name": "so"},
             "spec": {"scaleTargetRef": {"name": "d"}, "triggers": [
               {"type": "external-push", "metadata": {"scalerAddress": "s:9090"}, "authenticationRef": {"name": "tls"}},
               {"type": "external-push", "metadata": {"scalerAddress": "s:9090"}, "authenticationRef": {"name": "all", "kind": "ClusterTriggerAuthentication"}},
               {"type": "external", "metadata": {"scalerAddress": "s:9090"}}]}}
            """)!.AsObject();
        var triggers = ScaledObjectSpec.Parse(scaledObject).Triggers;
        Assert.Equal(new AuthenticationRef("tls", "TriggerAuthentication"), triggers[0].Authentication);
        Assert.Equal(new AuthenticationRef("all", "ClusterTriggerAuthentication"), triggers[1].Authentication);
        Assert.Null(triggers[2].Authentication);
    }

    private static Dictionary<string, string> Map(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private static (string Cert, string Key) SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=keda-test", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
