namespace Serving.Controller.Api.V1Beta1;

/// <summary>
/// Which implementations a component carries, in the order of KServe's <c>GetImplementations</c>: the "1-of" rule
/// (kserve-api.md §1.3) holds when there is exactly one. Inline containers count as <see cref="Containers"/>.
/// </summary>
public static class Implementations
{
    public const string Containers = "containers";

    public static IReadOnlyList<string> Of(PredictorSpec predictor)
    {
        var found = new List<string>();
        void Add(object? value, string name)
        {
            if (value is not null)
            {
                found.Add(name);
            }
        }

        Add(predictor.XGBoost, "xgboost");
        Add(predictor.PyTorch, "pytorch");
        Add(predictor.Triton, "triton");
        Add(predictor.SKLearn, "sklearn");
        Add(predictor.Tensorflow, "tensorflow");
        Add(predictor.Onnx, "onnx");
        Add(predictor.Pmml, "pmml");
        Add(predictor.LightGbm, "lightgbm");
        Add(predictor.Paddle, "paddle");
        Add(predictor.HuggingFace, "huggingface");
        Add(predictor.Model, "model");
        if (predictor.Containers is { Count: > 0 } containers)
        {
            // A container named kserve-container is the custom predictor; other containers (a collocated
            // transformer-container) sit beside a model. With no other implementation, the first container is it.
            found.AddRange(containers.Where(c => c.Name == ContainerNames.KServeContainer).Select(_ => Containers));
            if (found.Count == 0)
            {
                found.Add(Containers);
            }
        }

        return found;
    }

    public static IReadOnlyList<string> Of(TransformerSpec transformer) =>
        transformer.Containers is { Count: > 0 } ? [Containers] : [];

    public static IReadOnlyList<string> Of(ExplainerSpec explainer)
    {
        var found = new List<string>();
        if (explainer.Art is not null)
        {
            found.Add("art");
        }

        if (explainer.Containers is { Count: > 0 })
        {
            found.Add(Containers);
        }

        return found;
    }

    /// <summary>The framework shortcut a predictor uses, as a model format name, or null.</summary>
    public static (string Format, PredictorExtensionSpec Spec)? Shortcut(PredictorSpec predictor) => predictor switch
    {
        { SKLearn: { } s } => ("sklearn", s),
        { Tensorflow: { } s } => ("tensorflow", s),
        { XGBoost: { } s } => ("xgboost", s),
        { PyTorch: { } s } => ("pytorch", s),
        { Triton: { } s } => ("triton", s),
        { Onnx: { } s } => ("onnx", s),
        { HuggingFace: { } s } => ("huggingface", s),
        { Pmml: { } s } => ("pmml", s),
        { LightGbm: { } s } => ("lightgbm", s),
        { Paddle: { } s } => ("paddle", s),
        _ => null,
    };

    /// <summary>
    /// The model location of a predictor's implementation (<c>GetStorageUri</c>): a model's or shortcut's <c>storageUri</c>,
    /// or a custom container's <c>STORAGE_URI</c> env var.
    /// </summary>
    public static string? StorageUri(PredictorSpec predictor)
    {
        var implementations = Of(predictor);
        if (implementations.Count == 0)
        {
            return null;
        }

        if (implementations[0] == Containers)
        {
            var container = predictor.Containers!.FirstOrDefault(c => c.Name == ContainerNames.KServeContainer);
            return container?.EnvValue(EnvNames.StorageUri);
        }

        return predictor.Model?.StorageUri ?? Shortcut(predictor)?.Spec.StorageUri;
    }
}

/// <summary>Env vars with a meaning to KServe in custom containers.</summary>
public static class EnvNames
{
    public const string StorageUri = "STORAGE_URI";
    public const string Protocol = "PROTOCOL";
}
