using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.V1Beta1;

/// <summary>
/// <c>spec.canary</c> in either of its two shapes: KServe v0.20's list (<c>[{predictor, trafficPercent}]</c>, Standard mode
/// only, kserve-api.md §3.5) or the walkthrough's single object (<c>{predictor: …}</c>), which KServe itself has never
/// accepted. Exactly one of <see cref="Entries"/> and <see cref="SinglePredictor"/> is set; the shape is kept on write.
/// </summary>
[JsonConverter(typeof(InferenceServiceCanaryConverter))]
[JsonShapes(typeof(IReadOnlyList<CanarySpec>), typeof(CanaryObjectForm))]
public sealed record InferenceServiceCanary
{
    public IReadOnlyList<CanarySpec>? Entries { get; init; }

    public CanaryObjectForm? SinglePredictor { get; init; }
}

/// <summary>One entry of KServe's list form: a named predictor variant and its share of traffic.</summary>
public sealed record CanarySpec
{
    [JsonPropertyName("predictor")]
    public PredictorSpec Predictor { get; init; } = new();

    [JsonPropertyName("trafficPercent")]
    public int TrafficPercent { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>The walkthrough's <c>spec.canary: {predictor: …}</c>.</summary>
public sealed record CanaryObjectForm
{
    [JsonPropertyName("predictor")]
    public PredictorSpec? Predictor { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

internal sealed class InferenceServiceCanaryConverter : JsonConverter<InferenceServiceCanary>
{
    public override InferenceServiceCanary Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.StartArray => new InferenceServiceCanary
            {
                Entries = JsonSerializer.Deserialize<List<CanarySpec>>(ref reader, options) ?? [],
            },
            JsonTokenType.StartObject => new InferenceServiceCanary
            {
                SinglePredictor = JsonSerializer.Deserialize<CanaryObjectForm>(ref reader, options),
            },
            _ => throw new JsonException("expected a list of {predictor, trafficPercent} or an object"),
        };

    public override void Write(Utf8JsonWriter writer, InferenceServiceCanary value, JsonSerializerOptions options)
    {
        if (value.SinglePredictor is not null)
        {
            JsonSerializer.Serialize(writer, value.SinglePredictor, options);
        }
        else
        {
            JsonSerializer.Serialize(writer, value.Entries ?? [], options);
        }
    }
}
