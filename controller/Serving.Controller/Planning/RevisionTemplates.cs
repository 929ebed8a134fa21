using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Planning;

/// <summary>Builds a component's <see cref="RevisionTemplate"/> from an admitted InferenceService, as KServe builds the pod spec.</summary>
public static class RevisionTemplates
{
    private const string NamePlaceholder = "{{.Name}}";

    /// <summary>The predictor's template: the selected runtime's container with the model's arguments and environment.</summary>
    public static RevisionTemplate Predictor(InferenceService isvc, SelectedRuntime? runtime, string mode)
    {
        var predictor = isvc.Spec.Predictor ?? throw new ArgumentException("the InferenceService has no predictor", nameof(isvc));
        string name = isvc.Metadata.Name ?? "";
        if (predictor.Model is { } model && runtime is not null)
        {
            var container = runtime.Runtime.Spec.Containers?.FirstOrDefault(c => c.Name == ContainerNames.KServeContainer)
                ?? runtime.Runtime.Spec.Containers![0];
            var args = (container.Args ?? []).Select(a => a.Replace(NamePlaceholder, name, StringComparison.Ordinal)).Concat(model.Args ?? []).ToList();
            var env = Env(container.Env).Concat(Env(model.Env)).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
            return Build(isvc, mode, ComponentTypes.Predictor, predictor, runtime.Name, container.Image, args, env, model.StorageUri, model.ProtocolVersion);
        }

        var custom = predictor.Containers?.FirstOrDefault();
        return Build(
            isvc, mode, ComponentTypes.Predictor, predictor, null, custom?.Image, [.. custom?.Args ?? []],
            Env(custom?.Env).ToDictionary(StringComparer.Ordinal), custom?.EnvValue("STORAGE_URI"), null);
    }

    /// <summary>A transformer or explainer: a custom container (KServe's built-in explainers are not served here).</summary>
    public static RevisionTemplate Custom(InferenceService isvc, string mode, string component, ComponentSpec spec)
    {
        var container = spec.Containers?.FirstOrDefault();
        return Build(
            isvc, mode, component, spec, null, container?.Image, [.. container?.Args ?? []],
            Env(container?.Env).ToDictionary(StringComparer.Ordinal), container?.EnvValue("STORAGE_URI"), null);
    }

    /// <param name="mode">The deployment mode the revision runs in (<see cref="DeploymentModes.Knative"/> or <see cref="DeploymentModes.Standard"/>).</param>
    private static RevisionTemplate Build(
        InferenceService isvc, string mode, string component, ComponentSpec spec, string? runtime, string? image, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> env, string? storageUri, string? protocol)
    {
        var annotations = (isvc.Metadata.Annotations ?? new Dictionary<string, string>())
            .Concat(spec.Annotations ?? new Dictionary<string, string>())
            .Where(a => a.Key.StartsWith("autoscaling.knative.dev/", StringComparison.Ordinal))
            .GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        bool serverless = mode == DeploymentModes.Knative;
        int? min = serverless ? spec.MinReplicas : Math.Max(1, spec.MinReplicas ?? 1);
        var scaling = new ScalingSpec(min, spec.MaxReplicas ?? 0, spec.ScaleTarget, spec.ScaleMetric, annotations);

        // Everything but canaryTrafficPercent makes the revision (Knative: the template, not the traffic block).
        var fingerprint = new JsonObject
        {
            ["component"] = component,
            ["spec"] = JsonSerializer.SerializeToNode(spec with { CanaryTrafficPercent = null }, spec.GetType(), KubeJson.Options),
            ["runtime"] = runtime,
            ["image"] = image,
            ["args"] = new JsonArray([.. args.Select(a => (JsonNode?)JsonValue.Create(a))]),
            ["env"] = new JsonObject(env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))),
            ["annotations"] = new JsonObject(annotations.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value)))),
            ["mode"] = mode,
        };
        return new RevisionTemplate(
            component, isvc.Metadata.Name ?? "", runtime, image, args, env, storageUri, protocol,
            (int)Math.Clamp(spec.ContainerConcurrency ?? 0, 0, int.MaxValue), spec.TimeoutSeconds, scaling,
            fingerprint.ToJsonString(KubeJson.Options));
    }

    private static IEnumerable<KeyValuePair<string, string>> Env(IReadOnlyList<Api.Core.EnvVar>? env) =>
        (env ?? []).Where(e => e.Value is not null).Select(e => KeyValuePair.Create(e.Name, e.Value!));
}
