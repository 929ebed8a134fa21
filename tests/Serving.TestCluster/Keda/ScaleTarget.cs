using k8s;
using k8s.Models;

namespace Serving.TestCluster.Keda;

/// <summary>
/// The scale subresource of a ScaledObject's target (<c>/apis/apps/v1/namespaces/NS/deployments/NAME/scale</c>, or a
/// StatefulSet's), read and written as KEDA's scale client does: a GET, then a PUT of the same object with the new
/// <c>spec.replicas</c> (a conflict means someone else wrote first; the next poll tries again).
/// </summary>
internal static class ScaleTarget
{
    public static bool Supported(ScaledObjectSpec spec) =>
        spec.TargetApiVersion == "apps/v1" && spec.TargetKind is "Deployment" or "StatefulSet";

    public static Task<V1Scale> ReadAsync(IKubernetes client, ScaledObjectSpec spec, CancellationToken cancellationToken) =>
        spec.TargetKind == "StatefulSet"
            ? client.AppsV1.ReadNamespacedStatefulSetScaleAsync(spec.TargetName, spec.Namespace, cancellationToken: cancellationToken)
            : client.AppsV1.ReadNamespacedDeploymentScaleAsync(spec.TargetName, spec.Namespace, cancellationToken: cancellationToken);

    public static Task<V1Scale> WriteAsync(IKubernetes client, ScaledObjectSpec spec, V1Scale scale, int replicas, CancellationToken cancellationToken)
    {
        scale.Spec ??= new V1ScaleSpec();
        scale.Spec.Replicas = replicas;
        return spec.TargetKind == "StatefulSet"
            ? client.AppsV1.ReplaceNamespacedStatefulSetScaleAsync(scale, spec.TargetName, spec.Namespace, cancellationToken: cancellationToken)
            : client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, spec.TargetName, spec.Namespace, cancellationToken: cancellationToken);
    }
}
