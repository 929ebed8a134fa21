namespace Serving.Controller.RuntimeSelection;

/// <summary>
/// The ClusterServingRuntimes a KServe install ships (<c>config/runtimes/</c>, <c>constants.go</c>). Manifests written for
/// KServe name them in <c>runtime:</c>; this platform does not install them (see <see cref="RuntimeSelectionOptions"/>).
/// </summary>
public static class KServeRuntimeNames
{
    public static IReadOnlySet<string> BuiltIn { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "kserve-sklearnserver",
        "kserve-mlserver",
        "kserve-tensorflow-serving",
        "kserve-xgbserver",
        "kserve-torchserve",
        "kserve-tritonserver",
        "kserve-pmmlserver",
        "kserve-lgbserver",
        "kserve-paddleserver",
        "kserve-huggingfaceserver",
        "kserve-huggingfaceserver-multinode",
        "kserve-vllmserver",
        "kserve-openvino",
        "kserve-predictiveserver",
        "kserve-autogluonserver",
    };
}
