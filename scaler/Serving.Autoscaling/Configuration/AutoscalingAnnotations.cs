namespace Serving.Autoscaling.Configuration;

/// <summary>The Knative annotation keys this autoscaler reads (<c>pkg/apis/autoscaling/register.go</c>).</summary>
public static class AutoscalingAnnotations
{
    public const string Prefix = "autoscaling.knative.dev/";
    public const string Target = Prefix + "target";
    public const string Metric = Prefix + "metric";
    public const string TargetUtilizationPercentage = Prefix + "target-utilization-percentage";
    public const string Window = Prefix + "window";
    public const string PanicWindowPercentage = Prefix + "panic-window-percentage";
    public const string PanicThresholdPercentage = Prefix + "panic-threshold-percentage";
    public const string MaxScaleUpRate = Prefix + "max-scale-up-rate";
    public const string MaxScaleDownRate = Prefix + "max-scale-down-rate";
    public const string ScaleToZeroPodRetentionPeriod = Prefix + "scale-to-zero-pod-retention-period";
    public const string MinScale = Prefix + "min-scale";
    public const string MaxScale = Prefix + "max-scale";
    public const string InitialScale = Prefix + "initial-scale";
    public const string ActivationScale = Prefix + "activation-scale";
}
