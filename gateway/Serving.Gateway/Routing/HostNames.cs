using Serving.Gateway.Model;

namespace Serving.Gateway.Routing;

/// <summary>KServe's (Knative's) host names for a service in a domain.</summary>
public static class HostNames
{
    public static string Service(ServiceKey key, string domain) => $"{key.Name}.{key.Namespace}.{domain}";

    public static string Component(ServiceKey key, Component component, string domain) =>
        $"{key.Name}-{ComponentNames.Of(component)}.{key.Namespace}.{domain}";

    /// <summary>Knative's tag template <c>{tag}-{name}</c> on the component's service name.</summary>
    public static string Tag(ServiceKey key, Component component, string tag, string domain) =>
        $"{tag}-{key.Name}-{ComponentNames.Of(component)}.{key.Namespace}.{domain}";
}
