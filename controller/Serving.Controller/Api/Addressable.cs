using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api;

/// <summary>Knative <c>duckv1.Addressable</c>: <c>status.address</c>.</summary>
public sealed record Addressable
{
    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
