using System.Globalization;

namespace Serving.Controller.Validation;

/// <summary>
/// KServe's admission messages, verbatim (quirks included: they are what users search for). Sources:
/// <c>pkg/apis/serving/v1beta1/component.go</c>, <c>inference_service_validation.go</c>,
/// <c>pkg/apis/serving/v1alpha1/inference_graph_validation.go</c>, <c>pkg/webhook/admission/servingruntime</c>.
/// </summary>
internal static class Messages
{
    public const string NameFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";

    public const string MinReplicasShouldBeLessThanMax = "'MinReplicas' cannot be greater than MaxReplicas";
    public const string MinReplicasLowerBoundExceeded = "'MinReplicas' cannot be less than 0";
    public const string MaxReplicasLowerBoundExceeded = "'MaxReplicas' cannot be less than 0";
    public const string ParallelismLowerBoundExceeded = "parallelism cannot be less than 0";
    public const string InvalidLoggerType = "invalid logger type";
    public const string InvalidLoggerStorageConfig = "invalid logger storage configuration";
    public const string StorageUriPresentInTransformer = "storage uri should not be specified in transformer container";
    public const string InvalidStorageUriConfig = "Setting both StorageURI and StorageURIs is not supported.";
    public const string NameNotAllowedInStandardPredictor = "the 'name' field is not allowed in standard predictor";
    public const string DeploymentStrategyOnlyRaw = "customizing deploymentStrategy is only supported for raw deployment mode";
    public const string RpsTarget = "the target for rps should be greater than 1";
    public const string TargetUtilization = "the target utilization percentage should be a [1-100] integer";
    public const string TargetMemory = "the target memory should be greater than 1 MiB";
    public const string ResourceNotSet = "metricSpec.Resource is not set for resource metric source type";
    public const string ScaleMetricNotForKeda = "ScaleMetric is not supported for KEDA";
    public const string CpuTargetType = "the cpu target value type should be Utilization";
    public const string MemoryTargetType = "the memory target value type should be AverageValue or Utilization";
    public const string MemoryTargetValue = "the memory target value should be greater than 1 MiB";
    public const string ExternalNotSet = "metricSpec.External is not set for external metric source type";
    public const string PodMetricNotSet = "metricSpec.PodMetric is not set for pod metric source type";
    public const string QueryEmpty = "the query should not be empty";
    public const string ThresholdEmpty = "the target threshold value should not be empty";
    public const string CanaryNeedsModel = "canary requires a stable predictor with a model (multi-model serving is not supported with canary)";
    public const string CanaryOnlyStandard = "canary is only supported in Standard deployment mode";
    public const string PredictorNameChange = "predictor.name change requires a model change (e.g. storageUri)";
    public const string StorageUriEmpty = "storage URI cannot be empty";
    public const string StoragePathEmpty = "storage path cannot be empty";
    public const string PvcPathsUnique = "PVC storage paths must be unique";
    public const string RootNodeNotFound = "root node not found, InferenceGraph needs a node with name 'root' as the root node of the graph";

    /// <summary>
    /// <c>ExactlyOneErrorFor</c> lists the Go field names of the component struct minus the last one (by reflection),
    /// which is why the lists look odd; these are the strings KServe v0.20 prints.
    /// </summary>
    public const string ExactlyOnePredictor =
        "exactly one of [Name, SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, StorageContainerName, WorkerSpec, PodSpec] must be specified in PredictorSpec";
    public const string ExactlyOneTransformer = "exactly one of [PodSpec, ComponentExtensionSpec] must be specified in TransformerSpec";
    public const string ExactlyOneExplainer = "exactly one of [ART, PodSpec, ComponentExtensionSpec] must be specified in ExplainerSpec";

    public static string InvalidIsvcName(string name) => F(
        "the InferenceService \"{0}\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '{1}')",
        name, NameFormat);

    public static string InvalidGraphName(string name) => F(
        "The InferenceGraph \"{0}\" is invalid: a InferenceGraph name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '{1}')",
        name, NameFormat);

    public static string UnsupportedAutoscalerClass(string value) => F("[{0}] is not a supported autoscaler class type", value);

    public static string UnsupportedMetric(string metric) => F("[{0}] is not a supported metric", metric);

    public static string BlockedEnvVar(string isvc, string variable, string container) =>
        F("the InferenceService \"{0}\" is invalid: setting {1} in container \"{2}\" is not allowed for security reasons", isvc, variable, container);

    /// <summary><c>InvalidProtocol</c>: KServe passes the allowed list and the value in swapped order; kept as KServe prints it.</summary>
    public static string InvalidCustomProtocol(string value) => F("invalid protocol {0}. Must be one of [{1}]", "v1, v2", value);

    public static string HpaSourceType(string type) =>
        F("invalid HPA metric source type with value [{0}],valid metric source types are Resource", type);

    public static string KedaMetricType(string type) =>
        F("unknown KEDA metric type with value [{0}].Valid types are Resource,External,PodMetric", type);

    public static string KedaResourceType(string name) => F("resource type {0} is not supported", name);

    public static string StoragePathNotAbsolute(string path) => F("storage path must be absolute: {0}", path);

    public static string StoragePathTraversal(string path) => F("storage path cannot contain '..' for security reasons: {0}", path);

    public static string StoragePathsNoCommonParent(IEnumerable<string> paths) =>
        F("storage paths must have a common parent directory. Current paths: [{0}] have no common parent beyond root", string.Join(' ', paths));

    public static string UnsupportedStorageUri(IEnumerable<string> prefixes, string uri) => F(
        "storageUri, must be one of: [{0}] or match https://{{}}.blob.core.windows.net/{{}}/{{}} or be an absolute or relative local path. StorageUri [{1}] is not supported",
        string.Join(", ", prefixes), uri);

    public static string DuplicateStep(string node, string graph, string step) =>
        F("Node \"{0}\" of InferenceGraph \"{1}\" contains more than one step with name \"{2}\"", node, graph, step);

    public static string TargetNotProvided(int index, string step, string node, string graph) =>
        F("Step {0} (\"{1}\") in node \"{2}\" of InferenceGraph \"{3}\" does not specify an inference target", index, step, node, graph);

    public static string InvalidTarget(int index, string step, string node, string graph) =>
        F("Step {0} (\"{1}\") in node \"{2}\" of InferenceGraph \"{3}\" specifies more than one of nodeName, serviceName, serviceUrl", index, step, node, graph);

    public static string WeightNotProvided(string graph, string node, string route) =>
        F("InferenceGraph[{0}] Node[{1}] Route[{2}] missing the 'Weight'", graph, node, route);

    public static string InvalidWeight(string graph, string node) =>
        F("InferenceGraph[{0}] Node[{1}] splitter node: the sum of traffic weights for all routing targets should be 100", graph, node);

    // --- Kubernetes API server (CRD schema) wording, for what the schema rejects before KServe's webhook runs ---

    public static string Required(string field) => F("{0}: Required value", field);

    public static string Unsupported(string field, string value, IEnumerable<string> allowed) =>
        F("{0}: Unsupported value: \"{1}\": supported values: {2}", field, value, string.Join(", ", allowed.Select(a => $"\"{a}\"")));

    public static string Pattern(string field, string value, string pattern) =>
        F("{0}: Invalid value: \"{1}\": {0} in body should match '{2}'", field, value, pattern);

    public static string Minimum(string field, long value, long minimum) =>
        F("{0}: Invalid value: {1}: {0} in body should be greater than or equal to {2}", field, value, minimum);

    private static string F(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
