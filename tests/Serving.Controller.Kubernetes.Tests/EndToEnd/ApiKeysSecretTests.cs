using System.Net;
using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// A gateway in cluster mode takes its API keys from a Secret (<c>--api-keys-secret</c>), under the chart's gateway
/// account with the Role of <c>gateway.auth.apiKeysSecret</c>: the keys it holds follow the Secret as it is created,
/// rotated and deleted with kubectl.
/// </summary>
[Collection(ServingClusterCollection.Name)]
public sealed class ApiKeysSecretTests(ServingCluster cluster, ITestOutputHelper output)
{
    private const string FirstKey = "first-key-0123456789abcdef";
    private const string SecondKey = "second-key-0123456789abcdef";

    [Fact]
    public async Task A_service_annotated_api_key_accepts_the_Secret_s_key_and_follows_its_rotation_and_deletion()
    {
        string ns = await cluster.NamespaceAsync("gw-keys");
        await cluster.ProvideIrisClaimAsync(ns);
        await ApplySecretAsync(FirstKey);
        await using var gateway = await GatewayProcess.StartAsync(
            await GatewayAccess.KubeconfigAsync(cluster, ns), System.IO.Path.Combine(cluster.ControlPlane.Directory, $"gateway-{ns}.log"),
            "--log-level", "Debug", "--api-keys-secret", $"{ServingCluster.ChartNamespace}/{ServingCluster.ApiKeysSecret}");
        output.WriteLine($"gateway at {gateway.Inference}");
        try
        {
            await cluster.ApplyAsync(ns, Manifests.Iris("iris", "RawDeployment", minReplicas: 1, annotations: "    serving.kserve.io/auth: api-key"));
            await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "iris Ready");
            string host = $"iris.{ns}.example.com";

            Assert.Equal(
                (HttpStatusCode.OK, IrisRequest.Prediction),
                await gateway.EventuallyAsync(() => gateway.PostAsync(host, apiKey: FirstKey), r => r.Status == HttpStatusCode.OK, "a prediction with the key"));
            Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.PostAsync(host)).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.PostAsync(host, apiKey: SecondKey)).Status);

            // Rotated: the new key in, the old one out, as soon as the watch delivers the change.
            await ApplySecretAsync(SecondKey);
            await gateway.EventuallyAsync(() => gateway.PostAsync(host, apiKey: SecondKey), r => r.Status == HttpStatusCode.OK, "the rotated key accepted");
            Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.PostAsync(host, apiKey: FirstKey)).Status);

            // Deleted: no keys at all (401, as with an empty file), and the log says why.
            await cluster.KubectlAsync("delete", "secret", ServingCluster.ApiKeysSecret, "-n", ServingCluster.ChartNamespace);
            await gateway.EventuallyAsync(() => gateway.PostAsync(host, apiKey: SecondKey), r => r.Status == HttpStatusCode.Unauthorized, "every key refused");
            Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.PostAsync(host)).Status);
            // (The keys are cleared before the line is logged: it can reach the test's reader after the 401.)
            await gateway.WaitForOutputAsync($"The API keys Secret {ServingCluster.ChartNamespace}/{ServingCluster.ApiKeysSecret} does not exist", TimeSpan.FromSeconds(60));

            Assert.DoesNotContain(FirstKey, gateway.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(SecondKey, gateway.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("forbidden", gateway.Output, StringComparison.OrdinalIgnoreCase); // the chart's Role is enough
        }
        finally
        {
            await cluster.TryKubectlAsync("delete", "secret", ServingCluster.ApiKeysSecret, "-n", ServingCluster.ChartNamespace, "--ignore-not-found");
        }
    }

    /// <summary>Creates or replaces the Secret with one key, named <c>team-a</c>.</summary>
    private Task ApplySecretAsync(string key) => cluster.ApplyAsync(ServingCluster.ChartNamespace, $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {ServingCluster.ApiKeysSecret}
        stringData:
          team-a: {key}
        """);
}
