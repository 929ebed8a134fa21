using Serving.Controller.Api;

namespace Serving.Controller.Defaulting;

/// <summary>The cluster-wide settings KServe's defaulting reads from its <c>inferenceservice-config</c> ConfigMap.</summary>
public sealed record DefaultingOptions
{
    public static DefaultingOptions Default { get; } = new();

    /// <summary>
    /// <c>deploy.defaultDeploymentMode</c>: the mode of an object without the annotation. KServe ships <c>Serverless</c>
    /// (= <see cref="DeploymentModes.Knative"/>; kserve-api.md §0).
    /// </summary>
    public string DefaultDeploymentMode { get; init; } = DeploymentModes.Knative;

    /// <summary>The namespace of an object that names none (what <c>kubectl apply</c> without <c>-n</c> uses).</summary>
    public string DefaultNamespace { get; init; } = "default";

    /// <summary>
    /// <c>inferenceService.resource</c>: requests/limits given to custom containers that set none (KServe ships
    /// cpu 1 / memory 2Gi for both). Empty maps turn this off.
    /// </summary>
    public IReadOnlyDictionary<string, string> ContainerRequests { get; init; } =
        new Dictionary<string, string>(StringComparer.Ordinal) { ["cpu"] = "1", ["memory"] = "2Gi" };

    public IReadOnlyDictionary<string, string> ContainerLimits { get; init; } =
        new Dictionary<string, string>(StringComparer.Ordinal) { ["cpu"] = "1", ["memory"] = "2Gi" };
}
