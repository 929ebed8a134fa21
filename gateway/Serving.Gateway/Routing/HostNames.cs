using Serving.Gateway.Model;

namespace Serving.Gateway.Routing;

/// <summary>KServe's (Knative's) host names for a service in a domain.</summary>
public static class HostNames
{
    public static string Service(ServiceKey key, string domain) => $"{key.Name}.{key.Namespace}.{domain}";

    public static string Component(ServiceKey key, Component component, string domain) =>
        $"{key.Name}-{ComponentNames.Of(component)}.{key.Namespace}.{domain}";

    /// <summary>
    /// The cluster-local names of a service (<c>{name}.{ns}.svc.cluster.local</c>, KServe's <c>status.address</c>) and the
    /// shorter ones cluster DNS search paths let a client in the cluster write (<c>{name}.{ns}.svc</c>, <c>{name}.{ns}</c>).
    /// They reach the gateway through the ExternalName Service <c>{name}</c> the controller makes.
    /// </summary>
    public static IEnumerable<string> ClusterLocal(ServiceKey key)
    {
        string host = $"{key.Name}.{key.Namespace}";
        return [host + ".svc.cluster.local", host + ".svc", host];
    }

    /// <summary>Knative's tag template <c>{tag}-{name}</c> on the component's service name.</summary>
    public static string Tag(ServiceKey key, Component component, string tag, string domain) =>
        $"{tag}-{key.Name}-{ComponentNames.Of(component)}.{key.Namespace}.{domain}";
}
