using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Core;

namespace Serving.Controller.Api.V1Alpha1;

/// <summary>What <see cref="ServingRuntime"/> and <see cref="ClusterServingRuntime"/> share: one spec, two scopes.</summary>
public interface IServingRuntime : IKubeObject
{
    ServingRuntimeSpec Spec { get; }
}

/// <summary>Namespaced runtime (kserve-api.md §5); wins over cluster runtimes in selection.</summary>
public sealed record ServingRuntime : IServingRuntime
{
    public const string ApiVersionValue = ApiGroup.V1Alpha1;
    public const string KindValue = Kinds.ServingRuntime;

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; } = ApiVersionValue;

    [JsonPropertyName("kind")]
    public string? Kind { get; init; } = KindValue;

    [JsonPropertyName("metadata")]
    public ObjectMeta Metadata { get; init; } = new();

    [JsonPropertyName("spec")]
    public ServingRuntimeSpec Spec { get; init; } = new();

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>Cluster-scoped runtime (kserve-api.md §5).</summary>
public sealed record ClusterServingRuntime : IServingRuntime
{
    public const string ApiVersionValue = ApiGroup.V1Alpha1;
    public const string KindValue = Kinds.ClusterServingRuntime;

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; } = ApiVersionValue;

    [JsonPropertyName("kind")]
    public string? Kind { get; init; } = KindValue;

    [JsonPropertyName("metadata")]
    public ObjectMeta Metadata { get; init; } = new();

    [JsonPropertyName("spec")]
    public ServingRuntimeSpec Spec { get; init; } = new();

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary><c>ServingRuntimeSpec</c> with its inlined <c>ServingRuntimePodSpec</c>; ModelMesh's fields are accepted and not read.</summary>
public sealed record ServingRuntimeSpec
{
    [JsonPropertyName("supportedModelFormats")]
    public IReadOnlyList<SupportedModelFormat>? SupportedModelFormats { get; init; }

    [JsonPropertyName("multiModel")]
    public bool? MultiModel { get; init; }

    [JsonPropertyName("disabled")]
    public bool? Disabled { get; init; }

    [JsonPropertyName("protocolVersions")]
    public IReadOnlyList<string>? ProtocolVersions { get; init; }

    [JsonPropertyName("workerSpec")]
    public JsonElement? WorkerSpec { get; init; }

    [JsonPropertyName("containers")]
    public IReadOnlyList<Container>? Containers { get; init; }

    [JsonPropertyName("volumes")]
    public JsonElement? Volumes { get; init; }

    [JsonPropertyName("nodeSelector")]
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }

    [JsonPropertyName("affinity")]
    public JsonElement? Affinity { get; init; }

    [JsonPropertyName("tolerations")]
    public JsonElement? Tolerations { get; init; }

    /// <summary>Pod labels and annotations (the runtime's pod template), not the object's metadata.</summary>
    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("imagePullSecrets")]
    public JsonElement? ImagePullSecrets { get; init; }

    [JsonPropertyName("builtInAdapter")]
    public BuiltInAdapter? BuiltInAdapter { get; init; }

    // ModelMesh's and the pod template's other fields: accepted and passed through, not read here.

    [JsonPropertyName("grpcEndpoint")]
    public string? GrpcEndpoint { get; init; }

    [JsonPropertyName("grpcDataEndpoint")]
    public string? GrpcDataEndpoint { get; init; }

    [JsonPropertyName("httpDataEndpoint")]
    public string? HttpDataEndpoint { get; init; }

    [JsonPropertyName("replicas")]
    public int? Replicas { get; init; }

    [JsonPropertyName("storageHelper")]
    public JsonElement? StorageHelper { get; init; }

    [JsonPropertyName("hostIPC")]
    public bool? HostIpc { get; init; }

    [JsonPropertyName("schedulerName")]
    public string? SchedulerName { get; init; }

    [JsonPropertyName("resourceClaims")]
    public JsonElement? ResourceClaims { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }

    [JsonIgnore]
    public bool IsDisabled => Disabled == true;

    [JsonIgnore]
    public bool IsMultiModel => MultiModel == true;

    [JsonIgnore]
    public bool IsMultiNode => WorkerSpec is { ValueKind: not JsonValueKind.Null };
}

public sealed record SupportedModelFormat
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("autoSelect")]
    public bool? AutoSelect { get; init; }

    /// <summary>≥ 1; only meaningful with <see cref="AutoSelect"/>; higher wins.</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }

    [JsonIgnore]
    public bool IsAutoSelect => AutoSelect == true;
}

/// <summary>ModelMesh adapter settings; kept so that ModelMesh runtimes load, never used for selection.</summary>
public sealed record BuiltInAdapter
{
    [JsonPropertyName("serverType")]
    public string? ServerType { get; init; }

    [JsonPropertyName("runtimeManagementPort")]
    public int? RuntimeManagementPort { get; init; }

    [JsonPropertyName("memBufferBytes")]
    public long? MemBufferBytes { get; init; }

    [JsonPropertyName("modelLoadingTimeoutMillis")]
    public int? ModelLoadingTimeoutMillis { get; init; }

    [JsonPropertyName("env")]
    public IReadOnlyList<EnvVar>? Env { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
