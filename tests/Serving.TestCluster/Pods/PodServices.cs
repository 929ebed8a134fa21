using k8s;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Containers;
using Serving.TestCluster.Volumes;

namespace Serving.TestCluster.Pods;

/// <summary>What every pod worker of one node agent shares.</summary>
internal sealed record PodServices(
    IKubernetes Client,
    ImageMap Images,
    PodAddressPool Addresses,
    ClaimFolders Claims,
    string HostIP,
    Uri ApiServer,
    string WorkDirectory,
    TimeSpan BackoffBase,
    TimeSpan BackoffMax,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>Container logs, laid out like the kubelet's /var/log/pods: <c>logs/{namespace}_{pod}_{uid}/{container}.log</c>.</summary>
    public string LogPath(string ns, string pod, string uid, string container) =>
        Path.Combine(WorkDirectory, "logs", $"{ns}_{pod}_{uid}", container + ".log");
}
