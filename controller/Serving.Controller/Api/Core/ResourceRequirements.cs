using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.Core;

/// <summary>Requests and limits as quantity text (<c>250m</c>, <c>1Gi</c>, <c>nvidia.com/gpu: 1</c>).</summary>
[PassThroughFields(FieldSet.ResourceRequirements)]
public sealed record ResourceRequirements
{
    [JsonPropertyName("limits")]
    [Quantity]
    public IReadOnlyDictionary<string, string>? Limits { get; init; }

    [JsonPropertyName("requests")]
    [Quantity]
    public IReadOnlyDictionary<string, string>? Requests { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
