using k8s;
using k8s.Exceptions;

namespace Serving.Kubernetes.Client;

/// <summary>Where a process finds its API server and credentials: one reading for every host that talks to Kubernetes.</summary>
public static class KubeConfig
{
    /// <summary>The kubeconfig file when given; else the pod's service account inside a pod; else <c>~/.kube/config</c>.</summary>
    /// <exception cref="KubeConfigException">The file is missing or cannot be read as a kubeconfig.</exception>
    public static KubernetesClientConfiguration Load(string? kubeconfig) =>
        kubeconfig is not null ? FromFile(kubeconfig)
        : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig()
        : KubernetesClientConfiguration.BuildConfigFromConfigFile();

    /// <summary>The pod's service account (token, CA and <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c>).</summary>
    /// <exception cref="KubeConfigException">Not running in a pod.</exception>
    public static KubernetesClientConfiguration InCluster() =>
        KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : throw new KubeConfigException(
                "not running in a pod: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT or the service account token "
                + "(/var/run/secrets/kubernetes.io/serviceaccount/token) is missing; give a kubeconfig instead");

    /// <summary>The namespace of the pod this process runs in (its service account's), or null outside a pod.</summary>
    public static string? PodNamespace()
    {
        const string path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    private static KubernetesClientConfiguration FromFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new KubeConfigException($"kubeconfig '{path}' does not exist");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
        }
        catch (Exception e)
        {
            // The client's own messages (YAML errors, "Cannot infer server host url...") do not say which file.
            throw new KubeConfigException($"kubeconfig '{path}' cannot be used: {e.Message}", e);
        }
    }
}
