using Serving.TestCluster.Processes;

namespace Serving.TestCluster.Control;

/// <summary>
/// helm (v4) and kubectl (v1.35) as <c>scripts/kube.sh install</c> cached them, for work that needs no control plane of
/// its own (<c>helm lint</c>, <c>helm template</c>) or talks to one through a kubeconfig the caller chooses.
/// </summary>
public static class KubeTools
{
    /// <summary>Runs helm with its config, cache and data under <paramref name="home"/>; without a kubeconfig it reaches no cluster.</summary>
    public static async Task<CommandResult> HelmAsync(IEnumerable<string> arguments, string home, string? kubeconfig = null, CancellationToken cancellationToken = default)
    {
        var binaries = await KubeScript.Find().PathsAsync(cancellationToken).ConfigureAwait(false);
        return await CommandRunner.RunAsync(binaries.Helm, arguments, Environment(home, kubeconfig), null, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs kubectl against <paramref name="kubeconfig"/> (a ServiceAccount's, say).</summary>
    public static async Task<CommandResult> KubectlAsync(IEnumerable<string> arguments, string kubeconfig, CancellationToken cancellationToken = default)
    {
        var binaries = await KubeScript.Find().PathsAsync(cancellationToken).ConfigureAwait(false);
        return await CommandRunner.RunAsync(binaries.Kubectl, arguments, new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig }, null, TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>helm's folders under <paramref name="home"/>, and the kubeconfig (a file that does not exist when none is given).</summary>
    internal static Dictionary<string, string> Environment(string home, string? kubeconfig) => new()
    {
        ["KUBECONFIG"] = kubeconfig ?? Path.Combine(home, "no-kubeconfig"),
        ["HELM_CONFIG_HOME"] = Path.Combine(home, "helm", "config"),
        ["HELM_CACHE_HOME"] = Path.Combine(home, "helm", "cache"),
        ["HELM_DATA_HOME"] = Path.Combine(home, "helm", "data"),
    };
}
