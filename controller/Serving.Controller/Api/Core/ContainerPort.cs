using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api.Core;

public sealed record ContainerPort
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("containerPort")]
    public int ContainerPortNumber { get; init; }

    [JsonPropertyName("protocol")]
    public string? Protocol { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
