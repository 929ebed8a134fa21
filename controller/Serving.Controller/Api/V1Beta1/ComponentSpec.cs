using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Core;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.V1Beta1;

/// <summary>
/// What predictor, transformer and explainer share: KServe inlines a <c>PodSpec</c> and a <c>ComponentExtensionSpec</c>
/// into each (kserve-api.md §1.2). Pod fields not modelled here (securityContext, priorityClassName…) survive in
/// <see cref="ExtensionData"/>.
/// </summary>
[PassThroughFields(FieldSet.PodSpec)]
public abstract record ComponentSpec
{
    // --- inlined PodSpec ---

    [JsonPropertyName("containers")]
    public IReadOnlyList<Container>? Containers { get; init; }

    [JsonPropertyName("initContainers")]
    public IReadOnlyList<Container>? InitContainers { get; init; }

    [JsonPropertyName("volumes")]
    public JsonElement? Volumes { get; init; }

    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; init; }

    [JsonPropertyName("nodeSelector")]
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    [JsonPropertyName("tolerations")]
    public JsonElement? Tolerations { get; init; }

    [JsonPropertyName("affinity")]
    public JsonElement? Affinity { get; init; }

    [JsonPropertyName("imagePullSecrets")]
    public JsonElement? ImagePullSecrets { get; init; }

    [JsonPropertyName("automountServiceAccountToken")]
    public bool? AutomountServiceAccountToken { get; init; }

    /// <summary>Pod-level resources (Kubernetes PodLevelResources), not the container's: see kserve-api.md §1.4.</summary>
    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; init; }

    // --- inlined ComponentExtensionSpec ---

    [JsonPropertyName("minReplicas")]
    public int? MinReplicas { get; init; }

    [JsonPropertyName("maxReplicas")]
    public int? MaxReplicas { get; init; }

    [JsonPropertyName("scaleTarget")]
    public int? ScaleTarget { get; init; }

    /// <summary><c>cpu</c>, <c>memory</c>, <c>concurrency</c> or <c>rps</c> (<see cref="ScaleMetrics"/>).</summary>
    [JsonPropertyName("scaleMetric")]
    public string? ScaleMetric { get; init; }

    [JsonPropertyName("scaleMetricType")]
    public string? ScaleMetricType { get; init; }

    [JsonPropertyName("autoScaling")]
    public AutoScalingSpec? AutoScaling { get; init; }

    [JsonPropertyName("containerConcurrency")]
    public long? ContainerConcurrency { get; init; }

    /// <summary>Request timeout in seconds; KServe's Go field is <c>TimeoutSeconds</c>, its JSON name <c>timeout</c>.</summary>
    [JsonPropertyName("timeout")]
    public long? TimeoutSeconds { get; init; }

    [JsonPropertyName("canaryTrafficPercent")]
    public long? CanaryTrafficPercent { get; init; }

    [JsonPropertyName("logger")]
    public LoggerSpec? Logger { get; init; }

    [JsonPropertyName("batcher")]
    public Batcher? Batcher { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("deploymentStrategy")]
    public JsonElement? DeploymentStrategy { get; init; }

    // --- declared on each component in KServe ---

    [JsonPropertyName("storageUris")]
    public IReadOnlyList<StorageUri>? StorageUris { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
