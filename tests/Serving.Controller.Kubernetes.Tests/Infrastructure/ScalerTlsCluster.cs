using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Serving.Scaler.Tests.Infrastructure;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// A <see cref="ScalingCluster"/> whose scaler serves TLS and requires client certificates (<c>--tls-cert</c>,
/// <c>--tls-key</c>, <c>--tls-client-ca</c>), as the chart runs it with <c>scaler.tls.clientAuth</c>, and whose controller
/// asks KEDA for TLS (<c>--scaler-tls true --scaler-trigger-authentication scaler-tls</c>). Each namespace provides the
/// TriggerAuthentication <see cref="Authentication"/> (<see cref="TriggerAuthentication"/>), as an operator would.
/// </summary>
public sealed class ScalerTlsCluster : ScalingCluster
{
    public const string Authentication = "scaler-tls";

    private readonly TestCertificates _certificates = TestCertificates.Create();

    protected override IReadOnlyList<string> ScalerArguments =>
        ["--tls-cert", _certificates.ServerCertFile, "--tls-key", _certificates.ServerKeyFile, "--tls-client-ca", _certificates.CaFile];

    protected override IReadOnlyList<string> ControllerArguments => ["--scaler-tls", "true", "--scaler-trigger-authentication", Authentication];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _certificates.Dispose();
    }

    /// <summary>
    /// A Secret with the CA (<c>caCert</c>) and, if <paramref name="clientCertificate"/>, KEDA's client certificate and
    /// key (<c>tlsClientCert</c>, <c>tlsClientKey</c>), and the TriggerAuthentication that hands them to KEDA.
    /// </summary>
    public string TriggerAuthentication(bool clientCertificate)
    {
        var data = new JsonObject { ["ca.crt"] = _certificates.Ca.ExportCertificatePem() };
        var targets = new JsonArray(Target("caCert", "ca.crt"));
        if (clientCertificate)
        {
            data["tls.crt"] = _certificates.Client.ExportCertificatePem();
            data["tls.key"] = _certificates.Client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem();
            targets.Add(Target("tlsClientCert", "tls.crt"));
            targets.Add(Target("tlsClientKey", "tls.key"));
        }

        var secret = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = new JsonObject { ["name"] = "keda-scaler-client" }, ["stringData"] = data };
        var authentication = new JsonObject
        {
            ["apiVersion"] = "keda.sh/v1alpha1",
            ["kind"] = "TriggerAuthentication",
            ["metadata"] = new JsonObject { ["name"] = Authentication },
            ["spec"] = new JsonObject { ["secretTargetRef"] = targets },
        };
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray(secret, authentication) }.ToJsonString();

        static JsonObject Target(string parameter, string key) => new() { ["parameter"] = parameter, ["name"] = "keda-scaler-client", ["key"] = key };
    }
}
