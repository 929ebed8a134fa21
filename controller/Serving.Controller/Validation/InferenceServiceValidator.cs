using System.Text.RegularExpressions;
using Serving.Controller.Api;
using Serving.Controller.Api.Core;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Validation;

/// <summary>
/// KServe's InferenceService admission (<c>inference_service_validation.go</c>, <c>component.go</c>) run on a defaulted
/// object, preceded by the CRD schema checks the API server makes, followed by the rules this platform adds. Unlike
/// KServe, which stops at the first failure, every error is returned, in KServe's order.
/// </summary>
public static partial class InferenceServiceValidator
{
    /// <summary>Validation on create.</summary>
    public static IReadOnlyList<string> Validate(InferenceService isvc)
    {
        var errors = new List<string>();
        Schema(isvc, errors);
        Webhook(isvc, errors);
        PlatformRules.Validate(isvc, errors);
        return errors;
    }

    /// <summary>
    /// Validation on update: <paramref name="previous"/> is the stored object. KServe (≥ 0.16) also refuses a changed
    /// deploymentMode here; this platform rolls the service onto revisions in the new mode instead.
    /// </summary>
    public static IReadOnlyList<string> ValidateUpdate(InferenceService isvc, InferenceService previous)
    {
        var errors = new List<string>();
        Schema(isvc, errors);

        // validatePredictorNameChange: a variant name stands for a model; renaming it alone would orphan the workload.
        if ((isvc.Spec.Predictor?.Name ?? "") != (previous.Spec.Predictor?.Name ?? "") && StorageUriOf(isvc) == StorageUriOf(previous))
        {
            errors.Add(Messages.PredictorNameChange);
        }

        Webhook(isvc, errors);
        PlatformRules.Validate(isvc, errors);
        return errors;
    }

    /// <summary>What the CRD's OpenAPI schema rejects (API server wording).</summary>
    private static void Schema(InferenceService isvc, List<string> errors)
    {
        var predictor = isvc.Spec.Predictor;
        if (predictor is null)
        {
            errors.Add(Messages.Required("spec.predictor"));
        }
        else
        {
            if (!string.IsNullOrEmpty(predictor.Name) && !NamePattern().IsMatch(predictor.Name))
            {
                errors.Add(Messages.Pattern("spec.predictor.name", predictor.Name, "^" + Messages.NameFormat + "$"));
            }

            if (predictor.Model is { ModelFormat.Name: "" })
            {
                errors.Add(Messages.Required("spec.predictor.model.modelFormat.name"));
            }
        }

        foreach (var (path, component) in Components(isvc))
        {
            if (component.ScaleMetric is { } metric && !ScaleMetrics.All.Contains(metric))
            {
                errors.Add(Messages.Unsupported($"{path}.scaleMetric", metric, ScaleMetrics.All));
            }
        }
    }

    /// <summary><c>validateInferenceService</c>, each check in KServe's order.</summary>
    private static void Webhook(InferenceService isvc, List<string> errors)
    {
        string name = isvc.Metadata.Name ?? "";
        if (!NamePattern().IsMatch(name))
        {
            errors.Add(Messages.InvalidIsvcName(name));
        }

        if (isvc.Metadata.Annotation(Annotations.AutoscalerClass) is { } autoscalerClass && !AutoscalerClasses.Allowed.Contains(autoscalerClass))
        {
            errors.Add(Messages.UnsupportedAutoscalerClass(autoscalerClass));
        }

        BlockedEnvVars(isvc, errors);

        if (isvc.Spec.Predictor is { } predictor)
        {
            // validateCollocationStorageURI: a collocated transformer must not download the model itself.
            var collocated = predictor.Containers?.FirstOrDefault(c => c.Name == ContainerNames.TransformerContainer);
            if (collocated?.Env?.Any(e => e.Name == EnvNames.StorageUri) == true)
            {
                errors.Add(Messages.StorageUriPresentInTransformer);
            }

            // validatePredictor: shortcuts and model take their container name from the runtime.
            var standard = (Container?)predictor.Model ?? Implementations.Shortcut(predictor)?.Spec;
            if (!string.IsNullOrEmpty(standard?.Name))
            {
                errors.Add(Messages.NameNotAllowedInStandardPredictor);
            }
        }

        StorageUris.ValidateLists(isvc, errors);

        foreach (var (_, component) in Components(isvc))
        {
            var implementations = component switch
            {
                PredictorSpec p => Implementations.Of(p),
                TransformerSpec t => Implementations.Of(t),
                ExplainerSpec e => Implementations.Of(e),
                _ => [],
            };
            if (implementations.Count != 1)
            {
                errors.Add(component switch
                {
                    PredictorSpec => Messages.ExactlyOnePredictor,
                    TransformerSpec => Messages.ExactlyOneTransformer,
                    _ => Messages.ExactlyOneExplainer,
                });
            }
            else if (component is PredictorSpec { Containers: [var first, ..] } && implementations[0] == Implementations.Containers
                && first.EnvValue(EnvNames.Protocol) is { } protocol && protocol is not (ProtocolVersions.V1 or ProtocolVersions.V2))
            {
                // CustomPredictor.validateCustomProtocol reads the first container's PROTOCOL env var.
                errors.Add(Messages.InvalidCustomProtocol(protocol));
            }

            ComponentExtension(component, errors);
            // A metric the schema already refused would only be refused again, in other words.
            bool metricKnown = component.ScaleMetric is null || ScaleMetrics.All.Contains(component.ScaleMetric);
            if (metricKnown && AutoScaling.Validate(isvc.Metadata, component) is { } scalingError)
            {
                errors.Add(scalingError);
            }
        }

        CanarySpecs.Validate(isvc, errors);
    }

    /// <summary><c>ComponentExtensionSpec.Validate</c>: containerConcurrency, replicas, logger.</summary>
    private static void ComponentExtension(ComponentSpec component, List<string> errors)
    {
        if (component.ContainerConcurrency < 0)
        {
            errors.Add(Messages.ParallelismLowerBoundExceeded);
        }

        // validateReplicas: one rule, first failure only (two negative bounds are not also "min > max").
        int min = component.MinReplicas ?? 1;
        int max = component.MaxReplicas ?? 0;
        string? replicas = min < 0 ? Messages.MinReplicasLowerBoundExceeded
            : max < 0 ? Messages.MaxReplicasLowerBoundExceeded
            : min > max && max != 0 ? Messages.MinReplicasShouldBeLessThanMax
            : null;
        if (replicas is not null)
        {
            errors.Add(replicas);
        }

        if (component.Logger is { } logger)
        {
            if ((logger.Mode ?? LoggerSpec.ModeAll) is not (LoggerSpec.ModeAll or LoggerSpec.ModeRequest or LoggerSpec.ModeResponse))
            {
                errors.Add(Messages.InvalidLoggerType);
            }
            else if (logger.Storage is { } storage && (storage.Path is null || storage.Parameters is null || storage.Key is null))
            {
                errors.Add(Messages.InvalidLoggerStorageConfig);
            }
        }
    }

    /// <summary><c>validateBlockedEnvVars</c>: PYTHONPATH is refused in every container KServe checks.</summary>
    private static void BlockedEnvVars(InferenceService isvc, List<string> errors)
    {
        const string blocked = "PYTHONPATH";
        var containers = new List<Container>();
        var spec = isvc.Spec;
        if (spec.Predictor is { } p)
        {
            containers.AddRange(p.Containers ?? []);
            containers.AddRange(p.InitContainers ?? []);
            if (((Container?)p.Model ?? Implementations.Shortcut(p)?.Spec) is { } framework)
            {
                containers.Add(framework);
            }

            containers.AddRange(p.WorkerSpec?.Containers ?? []);
        }

        containers.AddRange(spec.Transformer?.Containers ?? []);
        containers.AddRange(spec.Transformer?.InitContainers ?? []);
        containers.AddRange(spec.Explainer?.Containers ?? []);
        containers.AddRange(spec.Explainer?.InitContainers ?? []);
        if (spec.Explainer?.Art is { } art)
        {
            containers.Add(art);
        }

        foreach (var container in containers.Where(c => c.Env?.Any(e => e.Name == blocked) == true))
        {
            errors.Add(Messages.BlockedEnvVar(isvc.Metadata.Name ?? "", blocked, container.Name ?? ""));
        }
    }

    private static string? StorageUriOf(InferenceService isvc) =>
        isvc.Spec.Predictor is { } predictor ? Implementations.StorageUri(predictor) : null;

    internal static IEnumerable<(string Path, ComponentSpec Component)> Components(InferenceService isvc)
    {
        if (isvc.Spec.Predictor is { } predictor)
        {
            yield return ("spec.predictor", predictor);
        }

        if (isvc.Spec.Transformer is { } transformer)
        {
            yield return ("spec.transformer", transformer);
        }

        if (isvc.Spec.Explainer is { } explainer)
        {
            yield return ("spec.explainer", explainer);
        }
    }

    [GeneratedRegex("^" + Messages.NameFormat + "$")]
    internal static partial Regex NamePattern();
}
