using Serving.Controller.Api;
using Serving.Controller.Api.Core;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Validation;

/// <summary>
/// <c>validateAutoScalingCompExtension</c> (kserve-api.md §8): which scaling fields are valid depends on the mode and the
/// autoscaler class. Standard mode is only checked when a class is named; every other mode gets Knative's KPA rules
/// unless Knative's HPA class is chosen. Each check returns KServe's first error.
/// </summary>
internal static class AutoScaling
{
    public static string? Validate(ObjectMeta metadata, ComponentSpec component)
    {
        string mode = DeploymentModes.Normalize(metadata.Annotation(Annotations.DeploymentMode) ?? "");
        if (mode == DeploymentModes.Standard)
        {
            return metadata.Annotation(Annotations.AutoscalerClass) switch
            {
                AutoscalerClasses.Hpa => Hpa(component),
                AutoscalerClasses.Keda => Keda(component),
                _ => null,
            };
        }

        return metadata.Annotation(Annotations.KnativeAutoscalerClass) == Annotations.KnativeHpaClass ? Hpa(component) : Kpa(component);
    }

    private static string? Kpa(ComponentSpec component)
    {
        if (component.DeploymentStrategy is { ValueKind: not System.Text.Json.JsonValueKind.Null })
        {
            return Messages.DeploymentStrategyOnlyRaw;
        }

        string metric = component.ScaleMetric ?? ScaleMetrics.Concurrency;
        if (metric is not (ScaleMetrics.Concurrency or ScaleMetrics.Rps))
        {
            return Messages.UnsupportedMetric(metric);
        }

        return metric == ScaleMetrics.Rps && component.ScaleTarget < 1 ? Messages.RpsTarget : null;
    }

    private static string? Hpa(ComponentSpec component)
    {
        string metric = component.ScaleMetric ?? ScaleMetrics.Cpu;
        if (metric is not (ScaleMetrics.Cpu or ScaleMetrics.Memory))
        {
            return Messages.UnsupportedMetric(metric);
        }

        if (component.ScaleTarget is { } target)
        {
            // KServe's condition is `metric == cpu && target < 1 || target > 100`: any metric above 100 gets this message.
            if ((metric == ScaleMetrics.Cpu && target < 1) || target > 100)
            {
                return Messages.TargetUtilization;
            }

            if (metric == ScaleMetrics.Memory && target < 1)
            {
                return Messages.TargetMemory;
            }
        }

        foreach (var spec in component.AutoScaling?.Metrics ?? [])
        {
            if (spec.Type != MetricsSpec.ResourceType)
            {
                return Messages.HpaSourceType(spec.Type);
            }

            if (spec.Resource is null)
            {
                return Messages.ResourceNotSet;
            }
        }

        return null;
    }

    private static string? Keda(ComponentSpec component)
    {
        if (component.ScaleMetric is not null)
        {
            return Messages.ScaleMetricNotForKeda;
        }

        foreach (var spec in component.AutoScaling?.Metrics ?? [])
        {
            string? error = spec.Type switch
            {
                MetricsSpec.ResourceType => KedaResource(spec.Resource),
                MetricsSpec.ExternalType => spec.External is null ? Messages.ExternalNotSet
                    : string.IsNullOrEmpty(spec.External.Metric.Query) ? Messages.QueryEmpty
                    : spec.External.Target.TargetValue is null ? Messages.ThresholdEmpty
                    : Target(spec.External.Target),
                MetricsSpec.PodMetricType => spec.PodMetric is null ? Messages.PodMetricNotSet
                    : string.IsNullOrEmpty(spec.PodMetric.Metric.Query) ? Messages.QueryEmpty
                    : spec.PodMetric.Target.TargetValue is null ? Messages.ThresholdEmpty
                    : Target(spec.PodMetric.Target),
                _ => Messages.KedaMetricType(spec.Type),
            };
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? KedaResource(ResourceMetricSource? resource)
    {
        if (resource is null)
        {
            return Messages.ResourceNotSet;
        }

        switch (resource.Name)
        {
            case "cpu" when resource.Target.Type != MetricTarget.Utilization:
                return Messages.CpuTargetType;
            case "memory" when resource.Target.Type is not (MetricTarget.AverageValue or MetricTarget.Utilization):
                return Messages.MemoryTargetType;
            case "memory" when resource.Target.Type == MetricTarget.AverageValue
                && (!Quantity.TryParse(resource.Target.TargetAverageValue, out decimal bytes) || bytes < 1024 * 1024):
                return Messages.MemoryTargetValue;
            case "cpu" or "memory":
                return Target(resource.Target);
            default:
                return Messages.KedaResourceType(resource.Name);
        }
    }

    /// <summary><c>validateScaleTarget</c>.</summary>
    private static string? Target(MetricTarget target) => target.Type switch
    {
        MetricTarget.Utilization when target.AverageUtilization is null => "the AverageUtilization type should be set",
        MetricTarget.Utilization when target.AverageUtilization is < 1 or > 100 => Messages.TargetUtilization,
        MetricTarget.AverageValue when target.TargetAverageValue is null => "the AverageValue type should be set",
        MetricTarget.Value when target.TargetValue is null => "the Value type should be set",
        _ => null,
    };
}
