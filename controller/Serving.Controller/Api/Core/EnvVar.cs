using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.Core;

[PassThroughFields(FieldSet.EnvVar)]
public sealed record EnvVar
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("value")]
    public string? Value { get; init; }

    /// <summary>Secret/ConfigMap/field references, passed through as written.</summary>
    [JsonPropertyName("valueFrom")]
    public JsonElement? ValueFrom { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
