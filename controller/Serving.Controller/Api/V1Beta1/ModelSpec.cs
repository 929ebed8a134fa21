using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Core;

namespace Serving.Controller.Api.V1Beta1;

/// <summary>
/// <c>PredictorExtensionSpec</c>: what every framework shortcut and <see cref="ModelSpec"/> carry, with an inlined container
/// whose fields are merged over the runtime's <c>kserve-container</c> (kserve-api.md §1.4). Not sealed: <see cref="ModelSpec"/>
/// extends it as KServe's Go struct embeds it.
/// </summary>
public record PredictorExtensionSpec : Container
{
    [JsonPropertyName("storageUri")]
    public string? StorageUri { get; init; }

    [JsonPropertyName("runtimeVersion")]
    public string? RuntimeVersion { get; init; }

    /// <summary><c>v1</c>, <c>v2</c>, <c>grpc-v1</c> or <c>grpc-v2</c> (<see cref="ProtocolVersions"/>); null is matched as v1.</summary>
    [JsonPropertyName("protocolVersion")]
    public string? ProtocolVersion { get; init; }

    [JsonPropertyName("storage")]
    public ModelStorageSpec? Storage { get; init; }

    [JsonPropertyName("confidential")]
    public JsonElement? Confidential { get; init; }
}

/// <summary><c>spec.predictor.model</c>: the generic form every shortcut is rewritten to.</summary>
public sealed record ModelSpec : PredictorExtensionSpec
{
    public ModelSpec()
    {
    }

    /// <summary>A model of <paramref name="format"/> carrying a shortcut's fields, as KServe's <c>assign*Runtime</c> builds it.</summary>
    public ModelSpec(ModelFormat format, PredictorExtensionSpec extension)
        : base(extension)
    {
        ModelFormat = format;
    }

    [JsonPropertyName("modelFormat")]
    public ModelFormat ModelFormat { get; init; } = new();

    /// <summary>Explicit (Cluster)ServingRuntime name; the controller writes the auto-selected name back here.</summary>
    [JsonPropertyName("runtime")]
    public string? Runtime { get; init; }

    /// <summary>KServe's <c>GetProtocol</c>: nil means v1 when matching runtimes.</summary>
    [JsonIgnore]
    public string EffectiveProtocol => ProtocolVersion ?? ProtocolVersions.V1;
}

public sealed record ModelFormat
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    /// <summary>"major", "major.minor" or "major.minor.patch"; runtimes match it as an exact string (kserve-api.md §5.1).</summary>
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }

    public override string ToString() => Version is null ? Name : $"{Name}, version {Version}";
}

/// <summary><c>storageUris[]</c> entry; <c>mountPath</c> defaults to <c>/mnt/models</c> in the CRD.</summary>
public sealed record StorageUri
{
    public const string DefaultMountPath = "/mnt/models";

    [JsonPropertyName("uri")]
    public string Uri { get; init; } = "";

    [JsonPropertyName("mountPath")]
    public string? MountPath { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary><c>storage</c>: a storage-config secret key and path instead of a URI.</summary>
public sealed record ModelStorageSpec
{
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("parameters")]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    [JsonPropertyName("key")]
    public string? Key { get; init; }

    [JsonPropertyName("schemaPath")]
    public string? SchemaPath { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
