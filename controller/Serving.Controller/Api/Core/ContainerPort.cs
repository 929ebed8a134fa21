using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.Core;

[PassThroughFields(FieldSet.ContainerPort)]
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
