using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Core;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.V1Beta1;

/// <summary>
/// <c>spec.predictor</c> (kserve-api.md §1.3): exactly one of a framework shortcut, <see cref="Model"/> or inline
/// containers. The defaulting webhook rewrites shortcuts into <see cref="Model"/>.
/// </summary>
public sealed record PredictorSpec : ComponentSpec
{
    /// <summary>Variant name (KServe v0.20); renames the workload <c>{isvc}-{name}-predictor</c>.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("sklearn")]
    public PredictorExtensionSpec? SKLearn { get; init; }

    [JsonPropertyName("xgboost")]
    public PredictorExtensionSpec? XGBoost { get; init; }

    [JsonPropertyName("tensorflow")]
    public PredictorExtensionSpec? Tensorflow { get; init; }

    [JsonPropertyName("pytorch")]
    public PredictorExtensionSpec? PyTorch { get; init; }

    [JsonPropertyName("triton")]
    public PredictorExtensionSpec? Triton { get; init; }

    [JsonPropertyName("onnx")]
    public PredictorExtensionSpec? Onnx { get; init; }

    [JsonPropertyName("huggingface")]
    public PredictorExtensionSpec? HuggingFace { get; init; }

    [JsonPropertyName("pmml")]
    public PredictorExtensionSpec? Pmml { get; init; }

    [JsonPropertyName("lightgbm")]
    public PredictorExtensionSpec? LightGbm { get; init; }

    [JsonPropertyName("paddle")]
    public PredictorExtensionSpec? Paddle { get; init; }

    [JsonPropertyName("model")]
    public ModelSpec? Model { get; init; }

    [JsonPropertyName("storageContainerName")]
    public string? StorageContainerName { get; init; }

    [JsonPropertyName("workerSpec")]
    public WorkerSpec? WorkerSpec { get; init; }
}

/// <summary>Multi-node worker pods (<c>spec.predictor.workerSpec</c>); presence selects multi-node runtimes.</summary>
[PassThroughFields(FieldSet.PodSpec)]
public sealed record WorkerSpec
{
    [JsonPropertyName("containers")]
    public IReadOnlyList<Container>? Containers { get; init; }

    [JsonPropertyName("pipelineParallelSize")]
    public int? PipelineParallelSize { get; init; }

    [JsonPropertyName("tensorParallelSize")]
    public int? TensorParallelSize { get; init; }

    /// <summary>A worker's pod spec keeps this field; the components' do not (KServe drops it from their schema).</summary>
    [JsonPropertyName("ephemeralContainers")]
    public JsonElement? EphemeralContainers { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
