using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Validation;

/// <summary>
/// Rules of this platform, on top of KServe's. KServe runs an unknown mode as the cluster default (a typo silently
/// changes behaviour) and ModelMesh on ModelMesh, which this platform does not have: both are refused. The
/// walkthrough's <c>spec.canary.predictor</c> object was never KServe API (KServe's API server prunes it and the canary
/// silently disappears): it is refused with what to write instead. A canaryTrafficPercent outside 0–100 is refused here
/// rather than by Knative's traffic webhook (same wording). The storage URI check is KServe's (§7), made at admission
/// instead of at reconcile.
/// </summary>
internal static class PlatformRules
{
    public static void Validate(InferenceService isvc, List<string> errors)
    {
        if (isvc.Metadata.Annotation(Annotations.DeploymentMode) is { } mode && !DeploymentModes.IsServed(mode))
        {
            errors.Add(
                $"{Annotations.DeploymentMode} \"{mode}\" is not supported: use {DeploymentModes.Knative} (or {DeploymentModes.LegacyServerless}) "
                + $"for scale to zero, {DeploymentModes.Standard} (or {DeploymentModes.LegacyRawDeployment}) for always-on");
        }

        if (isvc.Spec.Canary?.SinglePredictor is not null)
        {
            errors.Add(
                "spec.canary.predictor is not supported: to roll out a canary, put the new model in spec.predictor (for example a new "
                + "storageUri) and set spec.predictor.canaryTrafficPercent to its share; the previously rolled-out revision keeps the rest, "
                + "100 (or removing the field) promotes it and 0 rolls back");
        }

        foreach (var (path, component) in InferenceServiceValidator.Components(isvc))
        {
            if (component.CanaryTrafficPercent is { } percent and (< 0 or > 100))
            {
                errors.Add($"expected 0 <= {percent} <= 100: {path}.canaryTrafficPercent");
            }
        }

        if (isvc.Spec.Predictor is { } predictor && Implementations.StorageUri(predictor) is { } uri && StorageUris.Check(uri) is { } uriError)
        {
            errors.Add(uriError);
        }
    }
}
