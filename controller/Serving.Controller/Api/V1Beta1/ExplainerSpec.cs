using System.Text.Json.Serialization;
using Serving.Controller.Api.Core;

namespace Serving.Controller.Api.V1Beta1;

/// <summary><c>spec.explainer</c>: the ART explainer or inline containers (kserve-api.md §1.5).</summary>
public sealed record ExplainerSpec : ComponentSpec
{
    [JsonPropertyName("art")]
    public ArtExplainerSpec? Art { get; init; }
}

/// <summary><c>ARTExplainerSpec</c> = <c>type</c> + <c>ExplainerExtensionSpec</c> (which inlines a container).</summary>
public sealed record ArtExplainerSpec : Container
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("storageUri")]
    public string? StorageUri { get; init; }

    [JsonPropertyName("runtimeVersion")]
    public string? RuntimeVersion { get; init; }

    [JsonPropertyName("config")]
    public IReadOnlyDictionary<string, string>? Config { get; init; }

    [JsonPropertyName("storage")]
    public ModelStorageSpec? Storage { get; init; }
}
