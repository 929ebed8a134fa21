using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Core;

namespace Serving.Controller.Api.V1Alpha1;

/// <summary><c>serving.kserve.io/v1alpha1</c> <c>InferenceGraph</c> (kserve-api.md §4).</summary>
public sealed record InferenceGraph : IKubeObject
{
    public const string ApiVersionValue = ApiGroup.V1Alpha1;
    public const string KindValue = Kinds.InferenceGraph;

    /// <summary>The node a request enters (<c>GraphRootNodeName</c>).</summary>
    public const string RootNodeName = "root";

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; } = ApiVersionValue;

    [JsonPropertyName("kind")]
    public string? Kind { get; init; } = KindValue;

    [JsonPropertyName("metadata")]
    public ObjectMeta Metadata { get; init; } = new();

    [JsonPropertyName("spec")]
    public InferenceGraphSpec Spec { get; init; } = new();

    [JsonPropertyName("status")]
    public InferenceGraphStatus? Status { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record InferenceGraphSpec
{
    [JsonPropertyName("nodes")]
    public IReadOnlyDictionary<string, InferenceRouter>? Nodes { get; init; }

    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; init; }

    [JsonPropertyName("affinity")]
    public JsonElement? Affinity { get; init; }

    [JsonPropertyName("timeout")]
    public long? TimeoutSeconds { get; init; }

    [JsonPropertyName("routerTimeouts")]
    public RouterTimeouts? RouterTimeouts { get; init; }

    [JsonPropertyName("minReplicas")]
    public int? MinReplicas { get; init; }

    [JsonPropertyName("maxReplicas")]
    public int? MaxReplicas { get; init; }

    [JsonPropertyName("scaleTarget")]
    public int? ScaleTarget { get; init; }

    [JsonPropertyName("scaleMetric")]
    public string? ScaleMetric { get; init; }

    [JsonPropertyName("tolerations")]
    public JsonElement? Tolerations { get; init; }

    [JsonPropertyName("nodeSelector")]
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    [JsonPropertyName("nodeName")]
    public string? NodeName { get; init; }

    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>A graph node: how its steps are combined.</summary>
public sealed record InferenceRouter
{
    /// <summary><see cref="RouterTypes"/>: <c>Sequence</c>, <c>Splitter</c>, <c>Ensemble</c> or <c>Switch</c>.</summary>
    [JsonPropertyName("routerType")]
    public string? RouterType { get; init; }

    [JsonPropertyName("steps")]
    public IReadOnlyList<InferenceStep>? Steps { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>A step: exactly one target (<c>nodeName</c>, <c>serviceName</c> or <c>serviceUrl</c>) and how to call it.</summary>
public sealed record InferenceStep
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("nodeName")]
    public string? NodeName { get; init; }

    [JsonPropertyName("serviceName")]
    public string? ServiceName { get; init; }

    [JsonPropertyName("serviceUrl")]
    public string? ServiceUrl { get; init; }

    /// <summary>Only the literal <c>$response</c> changes behaviour (Sequence); anything else means the node's input.</summary>
    [JsonPropertyName("data")]
    public string? Data { get; init; }

    [JsonPropertyName("mapPredictionsToInstances")]
    public bool? MapPredictionsToInstances { get; init; }

    [JsonPropertyName("weight")]
    public long? Weight { get; init; }

    /// <summary>GJSON path (Switch, Sequence).</summary>
    [JsonPropertyName("condition")]
    public string? Condition { get; init; }

    /// <summary><see cref="StepDependencies"/>: <c>Soft</c> (the default) or <c>Hard</c>.</summary>
    [JsonPropertyName("dependency")]
    public string? Dependency { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>Router HTTP timeouts in seconds.</summary>
public sealed record RouterTimeouts
{
    [JsonPropertyName("serverRead")]
    public long? ServerRead { get; init; }

    [JsonPropertyName("serverWrite")]
    public long? ServerWrite { get; init; }

    [JsonPropertyName("serverIdle")]
    public long? ServerIdle { get; init; }

    [JsonPropertyName("serviceClient")]
    public long? ServiceClient { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record InferenceGraphStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; init; }

    [JsonPropertyName("conditions")]
    public IReadOnlyList<Condition>? Conditions { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("deploymentMode")]
    public string? DeploymentMode { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public static class RouterTypes
{
    public const string Sequence = "Sequence";
    public const string Splitter = "Splitter";
    public const string Ensemble = "Ensemble";
    public const string Switch = "Switch";

    public static IReadOnlyList<string> All { get; } = [Sequence, Splitter, Ensemble, Switch];
}

public static class StepDependencies
{
    public const string Soft = "Soft";
    public const string Hard = "Hard";

    public static IReadOnlyList<string> All { get; } = [Soft, Hard];
}
