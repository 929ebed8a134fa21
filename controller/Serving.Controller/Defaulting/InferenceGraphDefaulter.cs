using Serving.Controller.Api.V1Alpha1;

namespace Serving.Controller.Defaulting;

/// <summary>
/// KServe has no InferenceGraph defaulting webhook; this writes down what its controller assumes: the namespace and
/// <c>minReplicas</c> 1 (<c>constants.DefaultMinReplicas</c>, used when the field is nil).
/// </summary>
public static class InferenceGraphDefaulter
{
    public static InferenceGraph Default(InferenceGraph graph, DefaultingOptions? options = null)
    {
        options ??= DefaultingOptions.Default;
        var metadata = string.IsNullOrEmpty(graph.Metadata.Namespace)
            ? graph.Metadata with { Namespace = options.DefaultNamespace }
            : graph.Metadata;
        return graph with { Metadata = metadata, Spec = graph.Spec with { MinReplicas = graph.Spec.MinReplicas ?? 1 } };
    }
}
