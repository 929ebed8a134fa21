using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Validation;

/// <summary>
/// <c>validateCanarySpecs</c> for KServe v0.20's <c>spec.canary[]</c> list (kserve-api.md §3.5). Every failing entry is
/// reported, where KServe stops at the first.
/// </summary>
internal static class CanarySpecs
{
    public static void Validate(InferenceService isvc, List<string> errors)
    {
        if (isvc.Spec.Canary?.Entries is not { Count: > 0 } entries)
        {
            return;
        }

        if (DeploymentModes.Normalize(isvc.Metadata.Annotation(Annotations.DeploymentMode) ?? "") != DeploymentModes.Standard)
        {
            errors.Add(Messages.CanaryOnlyStandard);
            return;
        }

        var stable = isvc.Spec.Predictor;
        if (stable is null || (Implementations.StorageUri(stable) is null && stable.Model is null))
        {
            errors.Add(Messages.CanaryNeedsModel);
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var canary = entries[i];
            var predictor = canary.Predictor;
            string name = predictor.Name ?? "";
            if (name.Length == 0)
            {
                errors.Add($"canary[{i}] predictor.name is required");
                continue;
            }

            if (!names.Add(name))
            {
                errors.Add($"canary predictor.name \"{name}\" is duplicated");
                continue;
            }

            if (name == (stable.Name ?? ""))
            {
                errors.Add($"canary predictor.name \"{name}\" conflicts with stable predictor name");
                continue;
            }

            if (canary.TrafficPercent is < 0 or > 100)
            {
                errors.Add($"canary \"{name}\" trafficPercent must be between 0 and 100, got {canary.TrafficPercent}");
                continue;
            }

            total += canary.TrafficPercent;
            if (Implementations.Of(predictor).Count != 1)
            {
                errors.Add($"canary \"{name}\" predictor: {Messages.ExactlyOnePredictor}");
                continue;
            }

            string? error =
                predictor.WorkerSpec is not null ? $"canary \"{name}\" must not set workerSpec (multi-node is not yet supported for canary)"
                : predictor.MaxReplicas > 0 ? $"canary \"{name}\" must not set maxReplicas (canary uses fixed replicas)"
                : predictor.ScaleTarget is not null ? $"canary \"{name}\" must not set scaleTarget (canary uses fixed replicas)"
                : predictor.ScaleMetric is not null ? $"canary \"{name}\" must not set scaleMetric (canary uses fixed replicas)"
                : predictor.AutoScaling is not null ? $"canary \"{name}\" must not set autoScaling (canary uses fixed replicas)"
                : predictor.MinReplicas is { } min && min > (stable.MinReplicas ?? 1)
                    ? $"canary \"{name}\" minReplicas ({min}) must not exceed stable predictor minReplicas ({stable.MinReplicas ?? 1})"
                : null;
            if (error is not null)
            {
                errors.Add(error);
            }
        }

        if (total > 100)
        {
            errors.Add($"sum of canary trafficPercent values ({total}) must be <= 100");
        }
    }
}
