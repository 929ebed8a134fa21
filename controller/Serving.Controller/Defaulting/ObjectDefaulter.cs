using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Defaulting;

/// <summary>Defaults any loaded object by kind; runtimes only get a namespace (namespaced ones) or lose one (cluster ones).</summary>
public static class ObjectDefaulter
{
    public static IKubeObject Default(IKubeObject value, DefaultingOptions? options = null)
    {
        options ??= DefaultingOptions.Default;
        return value switch
        {
            InferenceService isvc => InferenceServiceDefaulter.Default(isvc, options),
            InferenceGraph graph => InferenceGraphDefaulter.Default(graph, options),
            ServingRuntime runtime when string.IsNullOrEmpty(runtime.Metadata.Namespace) =>
                runtime with { Metadata = runtime.Metadata with { Namespace = options.DefaultNamespace } },
            // The API server ignores a namespace on a cluster-scoped object.
            ClusterServingRuntime runtime when runtime.Metadata.Namespace is not null =>
                runtime with { Metadata = runtime.Metadata with { Namespace = null } },
            _ => value,
        };
    }
}
