namespace Serving.Controller.Api;

/// <summary>Annotation keys that change behaviour (kserve-api.md §1.6).</summary>
public static class Annotations
{
    public const string DeploymentMode = "serving.kserve.io/deploymentMode";
    public const string AutoscalerClass = "serving.kserve.io/autoscalerClass";
    public const string EnableTagRouting = "serving.kserve.io/enable-tag-routing";
    public const string Stop = "serving.kserve.io/stop";
    public const string DisableAutoUpdate = "serving.kserve.io/disable-auto-update";

    /// <summary>Knative's class annotation; <c>hpa.autoscaling.knative.dev</c> switches Knative-mode validation to HPA rules.</summary>
    public const string KnativeAutoscalerClass = "autoscaling.knative.dev/class";
    public const string KnativeHpaClass = "hpa.autoscaling.knative.dev";

    /// <summary>Written by KServe's defaulting webhook from <c>modelFormat.name</c> (unprefixed, as KServe spells it).</summary>
    public const string ModelFormat = "modelFormat";
}

/// <summary>Values of <see cref="Annotations.AutoscalerClass"/> KServe accepts (<c>AutoscalerAllowedClassList</c>).</summary>
public static class AutoscalerClasses
{
    public const string Hpa = "hpa";
    public const string Keda = "keda";
    public const string External = "external";
    public const string None = "none";

    public static IReadOnlyList<string> Allowed { get; } = [Hpa, External, Keda, None];
}
