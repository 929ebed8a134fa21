namespace Serving.Controller.Api;

/// <summary>KServe's API group, versions and kinds (kserve-api.md §1, §4, §5).</summary>
public static class ApiGroup
{
    public const string Name = "serving.kserve.io";
    public const string V1Beta1 = Name + "/v1beta1";
    public const string V1Alpha1 = Name + "/v1alpha1";
}

public static class Kinds
{
    public const string InferenceService = "InferenceService";
    public const string InferenceGraph = "InferenceGraph";
    public const string ServingRuntime = "ServingRuntime";
    public const string ClusterServingRuntime = "ClusterServingRuntime";
}
