using System.Text;
using System.Text.RegularExpressions;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// What a gateway is allowed on the cluster. Cluster-wide, what the chart gives it: the token of the chart's gateway
/// ServiceAccount (installed by <see cref="ServingCluster"/>), so that the gateway tests prove the chart's RBAC. For one
/// namespace (<c>--namespace</c>), the ClusterRole that <c>gateway/README.md</c> documents (read from it, so that the
/// documented RBAC is the tested one), bound by a RoleBinding to that namespace's <c>default</c> ServiceAccount.
/// </summary>
internal static partial class GatewayAccess
{
    /// <summary>The chart's gateway ServiceAccount (release <see cref="ServingCluster.ChartRelease"/>).</summary>
    public const string ChartServiceAccount = ServingCluster.ChartRelease + "-serving-platform-gateway";

    /// <param name="namespaced">Bound in <paramref name="ns"/> only (a RoleBinding, for a gateway with <c>--namespace</c>), else the chart's, cluster-wide.</param>
    public static async Task<string> KubeconfigAsync(ServingCluster cluster, string ns, bool namespaced = false)
    {
        if (!namespaced)
        {
            return await cluster.ControlPlane.ServiceAccountKubeconfigAsync(ServingCluster.ChartNamespace, ChartServiceAccount);
        }

        string file = Path.Combine(cluster.ControlPlane.Directory, "gateway-clusterrole.yaml");
        await File.WriteAllTextAsync(file, DocumentedClusterRole());
        await cluster.KubectlAsync("apply", "-f", file);
        await cluster.KubectlAsync("create", "rolebinding", "serving-gateway", "-n", ns, "--clusterrole=serving-gateway", $"--serviceaccount={ns}:default");

        string secret = (await cluster.KubectlAsync("get", "serviceaccount", "default", "-n", ns, "-o", "jsonpath={.secrets[0].name}")).Trim();
        string token = Encoding.UTF8.GetString(Convert.FromBase64String((await cluster.KubectlAsync("get", "secret", secret, "-n", ns, "-o", "jsonpath={.data.token}")).Trim()));
        string kubeconfig = Path.Combine(cluster.ControlPlane.Directory, $"gateway-{ns}.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, TokenLine().Replace(await File.ReadAllTextAsync(cluster.Kubeconfig), "${1}" + token));
        return kubeconfig;
    }

    /// <summary>The YAML block of gateway/README.md that defines the ClusterRole <c>serving-gateway</c>.</summary>
    private static string DocumentedClusterRole()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "gateway", "README.md"));
        return YamlBlock().Matches(readme).Select(m => m.Groups[1].Value).FirstOrDefault(b => b.Contains("kind: ClusterRole\n", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("gateway/README.md has no ```yaml block with the ClusterRole serving-gateway");
    }

    [GeneratedRegex(@"(?m)^(\s*token:\s*).*$")]
    private static partial Regex TokenLine();

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
