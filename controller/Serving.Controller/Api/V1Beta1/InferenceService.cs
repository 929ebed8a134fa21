using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api.V1Beta1;

/// <summary><c>serving.kserve.io/v1beta1</c> <c>InferenceService</c> (kserve-api.md §1).</summary>
public sealed record InferenceService : IKubeObject
{
    public const string ApiVersionValue = ApiGroup.V1Beta1;
    public const string KindValue = Kinds.InferenceService;

    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; } = ApiVersionValue;

    [JsonPropertyName("kind")]
    public string? Kind { get; init; } = KindValue;

    [JsonPropertyName("metadata")]
    public ObjectMeta Metadata { get; init; } = new();

    [JsonPropertyName("spec")]
    public InferenceServiceSpec Spec { get; init; } = new();

    [JsonPropertyName("status")]
    public InferenceServiceStatus? Status { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary><c>spec</c> (kserve-api.md §1.1). <see cref="Predictor"/> is required; null only when a manifest omits it.</summary>
public sealed record InferenceServiceSpec
{
    [JsonPropertyName("predictor")]
    public PredictorSpec? Predictor { get; init; }

    [JsonPropertyName("explainer")]
    public ExplainerSpec? Explainer { get; init; }

    [JsonPropertyName("transformer")]
    public TransformerSpec? Transformer { get; init; }

    [JsonPropertyName("canary")]
    public InferenceServiceCanary? Canary { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
