namespace Serving.Kubernetes.Client;

/// <summary>Where a kind lives in the API: its group, version and plural, and whether it is namespaced.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary><c>/api/v1/namespaces/{ns}/pods</c>, or across namespaces when <paramref name="namespace"/> is null.</summary>
    public string CollectionPath(string? @namespace) =>
        (Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}")
        + (Namespaced && @namespace is not null ? $"/namespaces/{Uri.EscapeDataString(@namespace)}" : "")
        + $"/{Plural}";

    public string ObjectPath(string? @namespace, string name) => $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}";

    public override string ToString() => $"{Plural}.{(Group.Length == 0 ? "core" : Group)}/{Version}";
}

/// <summary>The kinds the controller and the gateway read or write.</summary>
public static class Resources
{
    public static readonly ResourceType InferenceServices = new("serving.kserve.io", "v1beta1", "inferenceservices", "InferenceService");
    public static readonly ResourceType InferenceGraphs = new("serving.kserve.io", "v1alpha1", "inferencegraphs", "InferenceGraph");
    public static readonly ResourceType ServingRuntimes = new("serving.kserve.io", "v1alpha1", "servingruntimes", "ServingRuntime");
    public static readonly ResourceType ClusterServingRuntimes = new("serving.kserve.io", "v1alpha1", "clusterservingruntimes", "ClusterServingRuntime", Namespaced: false);
    public static readonly ResourceType Deployments = new("apps", "v1", "deployments", "Deployment");
    public static readonly ResourceType Services = new("", "v1", "services", "Service");
    public static readonly ResourceType Pods = new("", "v1", "pods", "Pod");
    public static readonly ResourceType Events = new("", "v1", "events", "Event");
    public static readonly ResourceType Secrets = new("", "v1", "secrets", "Secret");
    public static readonly ResourceType ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount");
    public static readonly ResourceType ScaledObjects = new("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject");

    /// <summary><c>autoscaling/v2</c> (1.23+); older servers get <see cref="HorizontalPodAutoscalersV2Beta2"/>.</summary>
    public static readonly ResourceType HorizontalPodAutoscalersV2 = new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler");

    public static readonly ResourceType HorizontalPodAutoscalersV2Beta2 = new("autoscaling", "v2beta2", "horizontalpodautoscalers", "HorizontalPodAutoscaler");

    /// <summary><c>discovery.k8s.io/v1</c> (1.21+); older servers get <see cref="EndpointSlicesV1Beta1"/>.</summary>
    public static readonly ResourceType EndpointSlicesV1 = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice");

    public static readonly ResourceType EndpointSlicesV1Beta1 = new("discovery.k8s.io", "v1beta1", "endpointslices", "EndpointSlice");
}
