namespace Serving.Controller.Api.V1Beta1;

/// <summary><c>InferenceServiceProtocol</c> values, and KServe's rank of each (lower wins when a runtime offers several).</summary>
public static class ProtocolVersions
{
    public const string V1 = "v1";
    public const string V2 = "v2";
    public const string GrpcV1 = "grpc-v1";
    public const string GrpcV2 = "grpc-v2";

    /// <summary>Rank of an empty protocol list (<c>constants.Unknown</c>).</summary>
    public const int UnknownRank = 5;

    /// <summary><c>GetProtocolVersionInt</c>: v1=1, v2=2, grpc-v1=3, grpc-v2=4, anything else 5.</summary>
    public static int Rank(string protocol) => protocol switch
    {
        V1 => 1,
        V2 => 2,
        GrpcV1 => 3,
        GrpcV2 => 4,
        _ => UnknownRank,
    };
}

/// <summary><c>scaleMetric</c> values (CRD enum).</summary>
public static class ScaleMetrics
{
    public const string Cpu = "cpu";
    public const string Memory = "memory";
    public const string Concurrency = "concurrency";
    public const string Rps = "rps";

    public static IReadOnlyList<string> All { get; } = [Cpu, Memory, Concurrency, Rps];
}

/// <summary>Keys of <c>status.components</c> and the <c>component</c> label.</summary>
public static class ComponentTypes
{
    public const string Predictor = "predictor";
    public const string Transformer = "transformer";
    public const string Explainer = "explainer";
}

/// <summary>Condition types the InferenceService controller writes (kserve-api.md §1.8).</summary>
public static class ConditionTypes
{
    public const string Ready = "Ready";
    public const string PredictorReady = "PredictorReady";
    public const string TransformerReady = "TransformerReady";
    public const string ExplainerReady = "ExplainerReady";
    public const string IngressReady = "IngressReady";
    public const string PredictorRouteReady = "PredictorRouteReady";
    public const string TransformerRouteReady = "TransformerRouteReady";
    public const string ExplainerRoutesReady = "ExplainerRoutesReady";
    public const string PredictorConfigurationReady = "PredictorConfigurationReady";
    public const string TransformerConfigurationReady = "TransformerConfigurationReady";
    public const string ExplainerConfigurationReady = "ExplainerConfigurationReady";
    public const string RoutesReady = "RoutesReady";
    public const string LatestDeploymentReady = "LatestDeploymentReady";
    public const string Stopped = "Stopped";
    public const string CanaryPredictorReady = "CanaryPredictorReady";

    /// <summary>
    /// This platform's: False while the latest spec is refused (invalid, no runtime) and the last accepted one keeps
    /// serving. Absent when the spec is accepted.
    /// </summary>
    public const string SpecAccepted = "SpecAccepted";

    /// <summary>
    /// This platform's: False when the service's cluster-local name cannot be its own (a Service of that name the
    /// controller does not own is there); no <c>status.address</c> then. Absent otherwise.
    /// </summary>
    public const string AddressReady = "AddressReady";
}

/// <summary><c>lastFailureInfo.reason</c> values.</summary>
public static class FailureReasons
{
    public const string ModelLoadFailed = "ModelLoadFailed";
    public const string RuntimeUnhealthy = "RuntimeUnhealthy";
    public const string RuntimeDisabled = "RuntimeDisabled";
    public const string NoSupportingRuntime = "NoSupportingRuntime";
    public const string RuntimeNotRecognized = "RuntimeNotRecognized";
    public const string InvalidPredictorSpec = "InvalidPredictorSpec";
}

public static class TransitionStatuses
{
    public const string UpToDate = "UpToDate";
    public const string InProgress = "InProgress";
    public const string BlockedByFailedLoad = "BlockedByFailedLoad";
    public const string InvalidSpec = "InvalidSpec";
}

public static class ModelStates
{
    public const string Pending = "Pending";
    public const string Standby = "Standby";
    public const string Loading = "Loading";
    public const string Loaded = "Loaded";
    public const string FailedToLoad = "FailedToLoad";
}

/// <summary>Container names with a meaning to KServe.</summary>
public static class ContainerNames
{
    public const string KServeContainer = "kserve-container";
    public const string TransformerContainer = "transformer-container";
}
