using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api.V1Beta1;

/// <summary><c>logger</c> (kserve-api.md §1.2).</summary>
public sealed record LoggerSpec
{
    public const string ModeAll = "all";
    public const string ModeRequest = "request";
    public const string ModeResponse = "response";

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary><c>all</c> (the CRD default), <c>request</c> or <c>response</c>.</summary>
    [JsonPropertyName("mode")]
    public string? Mode { get; init; }

    [JsonPropertyName("metadataHeaders")]
    public IReadOnlyList<string>? MetadataHeaders { get; init; }

    [JsonPropertyName("metadataAnnotations")]
    public IReadOnlyList<string>? MetadataAnnotations { get; init; }

    [JsonPropertyName("storage")]
    public LoggerStorageSpec? Storage { get; init; }

    [JsonPropertyName("marshallerUrl")]
    public string? MarshallerUrl { get; init; }

    [JsonPropertyName("batchSize")]
    public int? BatchSize { get; init; }

    [JsonPropertyName("batchInterval")]
    public string? BatchInterval { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record LoggerStorageSpec
{
    [JsonPropertyName("path")]
    public string? Path { get; init; }

    [JsonPropertyName("parameters")]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    [JsonPropertyName("key")]
    public string? Key { get; init; }

    [JsonPropertyName("serviceAccountName")]
    public string? ServiceAccountName { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary><c>batcher</c>: KServe's agent-side batching (only maxBatchSize/maxLatency are wired in KServe).</summary>
public sealed record Batcher
{
    [JsonPropertyName("maxBatchSize")]
    public int? MaxBatchSize { get; init; }

    [JsonPropertyName("maxLatency")]
    public int? MaxLatency { get; init; }

    [JsonPropertyName("timeout")]
    public int? Timeout { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
