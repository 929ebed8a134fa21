using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.Core;

/// <summary>
/// The subset of <c>corev1.Container</c> the controller reads. Everything else (probes, volumeMounts, securityContext…)
/// survives in <see cref="ExtensionData"/> and is passed through to the pod unchanged. Not sealed: KServe inlines a
/// container into <c>PredictorExtensionSpec</c> and <c>ExplainerExtensionSpec</c>.
/// </summary>
[PassThroughFields(FieldSet.Container)]
public record Container
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("image")]
    public string? Image { get; init; }

    [JsonPropertyName("command")]
    public IReadOnlyList<string>? Command { get; init; }

    [JsonPropertyName("args")]
    public IReadOnlyList<string>? Args { get; init; }

    [JsonPropertyName("workingDir")]
    public string? WorkingDir { get; init; }

    [JsonPropertyName("ports")]
    public IReadOnlyList<ContainerPort>? Ports { get; init; }

    [JsonPropertyName("env")]
    public IReadOnlyList<EnvVar>? Env { get; init; }

    [JsonPropertyName("resources")]
    public ResourceRequirements? Resources { get; init; }

    [JsonPropertyName("imagePullPolicy")]
    public string? ImagePullPolicy { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }

    public string? EnvValue(string name) => Env?.FirstOrDefault(e => e.Name == name)?.Value;
}
