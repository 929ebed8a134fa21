using Serving.Controller.Api;
using Serving.Controller.Api.Core;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Defaulting;

/// <summary>
/// KServe's mutating webhook for InferenceServices (<c>inference_service_defaults.go</c> <c>DefaultInferenceService</c>),
/// plus the CRD schema defaults the API server applies. A pure function: the input is not changed.
/// </summary>
public static class InferenceServiceDefaulter
{
    public static InferenceService Default(InferenceService isvc, DefaultingOptions? options = null)
    {
        options ??= DefaultingOptions.Default;
        var metadata = DefaultMetadata(isvc.Metadata, options);
        string? mode = metadata.Annotation(Annotations.DeploymentMode);
        var spec = isvc.Spec;

        var predictor = spec.Predictor;
        if (predictor is not null && mode != DeploymentModes.ModelMesh)
        {
            predictor = PredictorModelDefaults(predictor);
            // KServe records the format as an unprefixed annotation; a value the user set wins.
            if (predictor.Model is { ModelFormat.Name: { Length: > 0 } format } && metadata.Annotation(Annotations.ModelFormat) is null)
            {
                metadata = metadata.WithAnnotation(Annotations.ModelFormat, format);
            }
        }

        return isvc with
        {
            Metadata = metadata,
            Spec = spec with
            {
                Predictor = predictor is null ? null : DefaultPredictor(predictor, options),
                Transformer = spec.Transformer is null ? null : DefaultTransformer(spec.Transformer, options),
                Explainer = spec.Explainer is null ? null : DefaultExplainer(spec.Explainer, options),
            },
        };
    }

    private static ObjectMeta DefaultMetadata(ObjectMeta metadata, DefaultingOptions options)
    {
        if (string.IsNullOrEmpty(metadata.Namespace))
        {
            metadata = metadata with { Namespace = options.DefaultNamespace };
        }

        // §0: legacy spellings are rewritten; with no annotation, only a Standard (or ModelMesh) default is written
        // down, as KServe does, so that a Knative default stays implicit and follows the cluster setting.
        string? mode = metadata.Annotation(Annotations.DeploymentMode);
        if (mode is not null)
        {
            string normalized = DeploymentModes.Normalize(mode);
            return normalized == mode ? metadata : metadata.WithAnnotation(Annotations.DeploymentMode, normalized);
        }

        string defaultMode = DeploymentModes.Normalize(options.DefaultDeploymentMode);
        return defaultMode is DeploymentModes.Standard or DeploymentModes.ModelMesh
            ? metadata.WithAnnotation(Annotations.DeploymentMode, defaultMode)
            : metadata;
    }

    /// <summary>
    /// §1.3 <c>setPredictorModelDefaults</c>: a framework shortcut becomes <c>model</c> with that format; <c>onnx</c>,
    /// <c>triton</c> and <c>huggingface</c> shortcuts and <c>triton</c>/<c>vLLM</c> models default to protocol v2.
    /// </summary>
    private static PredictorSpec PredictorModelDefaults(PredictorSpec predictor)
    {
        // KServe converts the first shortcut even when a model (or a second shortcut) is also set, silently dropping the
        // rest. Leaving such a predictor alone lets validation name the conflict instead.
        if (Implementations.Of(predictor).Count == 1 && Implementations.Shortcut(predictor) is var (format, shortcut))
        {
            if (format is "onnx" or "triton" or "huggingface" && shortcut.ProtocolVersion is null)
            {
                shortcut = shortcut with { ProtocolVersion = ProtocolVersions.V2 };
            }

            predictor = predictor with
            {
                Model = new ModelSpec(new ModelFormat { Name = format }, shortcut),
                SKLearn = null,
                XGBoost = null,
                Tensorflow = null,
                PyTorch = null,
                Triton = null,
                Onnx = null,
                HuggingFace = null,
                Pmml = null,
                LightGbm = null,
                Paddle = null,
            };
        }

        if (predictor.Model is { ProtocolVersion: null, ModelFormat.Name: "triton" or "vLLM" } model)
        {
            predictor = predictor with { Model = model with { ProtocolVersion = ProtocolVersions.V2 } };
        }

        return predictor;
    }

    private static PredictorSpec DefaultPredictor(PredictorSpec predictor, DefaultingOptions options)
    {
        var implementations = Implementations.Of(predictor);
        if (implementations is [Implementations.Containers])
        {
            // CustomPredictor.Default: name the only (or an unnamed first) container kserve-container and give the first
            // container default resources. KServe touches containers[0] even when kserve-container is another one.
            var containers = predictor.Containers!.ToList();
            var first = containers[0];
            if (containers.Count == 1 || string.IsNullOrEmpty(first.Name))
            {
                first = first with { Name = ContainerNames.KServeContainer };
            }

            containers[0] = first with { Resources = DefaultResources(first.Resources, options) };
            predictor = predictor with { Containers = containers };
        }

        return DefaultExtension(predictor);
    }

    private static TransformerSpec DefaultTransformer(TransformerSpec transformer, DefaultingOptions options)
    {
        if (Implementations.Of(transformer).Count == 1)
        {
            transformer = transformer with { Containers = FirstIsKServeContainer(transformer.Containers!, options) };
        }

        return DefaultExtension(transformer);
    }

    private static ExplainerSpec DefaultExplainer(ExplainerSpec explainer, DefaultingOptions options)
    {
        var implementations = Implementations.Of(explainer);
        if (implementations is [Implementations.Containers])
        {
            explainer = explainer with { Containers = FirstIsKServeContainer(explainer.Containers!, options) };
        }
        else if (implementations is ["art"])
        {
            var art = explainer.Art!;
            explainer = explainer with
            {
                Art = art with { Name = ContainerNames.KServeContainer, Resources = DefaultResources(art.Resources, options) },
            };
        }

        return DefaultExtension(explainer);
    }

    /// <summary>CustomTransformer/CustomExplainer.Default: the first container is always renamed kserve-container.</summary>
    private static List<Container> FirstIsKServeContainer(IReadOnlyList<Container> containers, DefaultingOptions options)
    {
        var list = containers.ToList();
        list[0] = list[0] with { Name = ContainerNames.KServeContainer, Resources = DefaultResources(list[0].Resources, options) };
        return list;
    }

    /// <summary><c>setResourceRequirementDefaults</c>: each configured request/limit the container lacks is added.</summary>
    private static ResourceRequirements DefaultResources(ResourceRequirements? resources, DefaultingOptions options)
    {
        resources ??= new ResourceRequirements();
        return resources with
        {
            Requests = Merge(resources.Requests, options.ContainerRequests),
            Limits = Merge(resources.Limits, options.ContainerLimits),
        };

        static IReadOnlyDictionary<string, string>? Merge(IReadOnlyDictionary<string, string>? given, IReadOnlyDictionary<string, string> defaults)
        {
            if (defaults.Count == 0 || (given is not null && defaults.Keys.All(given.ContainsKey)))
            {
                return given;
            }

            var merged = given is null
                ? new Dictionary<string, string>(StringComparer.Ordinal)
                : new Dictionary<string, string>(given, StringComparer.Ordinal);
            foreach (var (key, value) in defaults)
            {
                merged.TryAdd(key, value);
            }

            return merged;
        }
    }

    /// <summary>
    /// What the CRD schema and KServe's consumers imply, written down: <c>minReplicas</c> 1 (<c>constants.DefaultMinReplicas</c>,
    /// which KServe applies where it reads the field; writing it is equivalent), logger <c>mode: all</c> and storage
    /// <c>mountPath: /mnt/models</c> (CRD defaults).
    /// </summary>
    private static T DefaultExtension<T>(T component)
        where T : ComponentSpec
    {
        component = component with { MinReplicas = component.MinReplicas ?? 1 };
        if (component.Logger is { Mode: null } logger)
        {
            component = component with { Logger = logger with { Mode = LoggerSpec.ModeAll } };
        }

        if (component.StorageUris is { } uris && uris.Any(u => u.MountPath is null))
        {
            component = component with
            {
                StorageUris = uris.Select(u => u with { MountPath = u.MountPath ?? StorageUri.DefaultMountPath }).ToList(),
            };
        }

        return component;
    }
}
