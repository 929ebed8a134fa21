using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api.V1Beta1;

/// <summary><c>status</c> (kserve-api.md §1.7): Knative duck status + KServe's fields.</summary>
public sealed record InferenceServiceStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; init; }

    [JsonPropertyName("conditions")]
    public IReadOnlyList<Condition>? Conditions { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("address")]
    public Addressable? Address { get; init; }

    /// <summary>Keyed by <see cref="ComponentTypes"/> (<c>predictor</c>, <c>transformer</c>, <c>explainer</c>).</summary>
    [JsonPropertyName("components")]
    public IReadOnlyDictionary<string, ComponentStatusSpec>? Components { get; init; }

    [JsonPropertyName("modelStatus")]
    public ModelStatus? ModelStatus { get; init; }

    [JsonPropertyName("canaryStatuses")]
    public IReadOnlyList<CanaryStatus>? CanaryStatuses { get; init; }

    /// <summary>The resolved mode, new spelling; pins the mode for later updates (kserve-api.md §0).</summary>
    [JsonPropertyName("deploymentMode")]
    public string? DeploymentMode { get; init; }

    [JsonPropertyName("servingRuntimeName")]
    public string? ServingRuntimeName { get; init; }

    [JsonPropertyName("clusterServingRuntimeName")]
    public string? ClusterServingRuntimeName { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary><c>status.components.&lt;c&gt;</c>: revision bookkeeping and traffic (kserve-api.md §3.2).</summary>
public sealed record ComponentStatusSpec
{
    /// <summary>Not KServe's: the platform's ready replicas of the component, kept in <see cref="ExtensionData"/>.</summary>
    public const string ReplicasKey = "replicas";

    [JsonPropertyName("latestReadyRevision")]
    public string? LatestReadyRevision { get; init; }

    [JsonPropertyName("latestCreatedRevision")]
    public string? LatestCreatedRevision { get; init; }

    [JsonPropertyName("previousRolledoutRevision")]
    public string? PreviousRolledoutRevision { get; init; }

    [JsonPropertyName("latestRolledoutRevision")]
    public string? LatestRolledoutRevision { get; init; }

    [JsonPropertyName("traffic")]
    public IReadOnlyList<TrafficTarget>? Traffic { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonPropertyName("restUrl")]
    public string? RestUrl { get; init; }

    [JsonPropertyName("grpcUrl")]
    public string? GrpcUrl { get; init; }

    [JsonPropertyName("address")]
    public Addressable? Address { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>Knative's <c>TrafficTarget</c>, as KServe copies it into <c>components.&lt;c&gt;.traffic</c>.</summary>
public sealed record TrafficTarget
{
    [JsonPropertyName("tag")]
    public string? Tag { get; init; }

    [JsonPropertyName("revisionName")]
    public string? RevisionName { get; init; }

    [JsonPropertyName("configurationName")]
    public string? ConfigurationName { get; init; }

    [JsonPropertyName("latestRevision")]
    public bool? LatestRevision { get; init; }

    [JsonPropertyName("percent")]
    public long? Percent { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary><c>status.modelStatus</c> (kserve-api.md §1.7).</summary>
public sealed record ModelStatus
{
    /// <summary><see cref="TransitionStatuses"/>.</summary>
    [JsonPropertyName("transitionStatus")]
    public string TransitionStatus { get; init; } = "";

    [JsonPropertyName("states")]
    public ModelRevisionStates? States { get; init; }

    [JsonPropertyName("lastFailureInfo")]
    public FailureInfo? LastFailureInfo { get; init; }

    [JsonPropertyName("copies")]
    public ModelCopies? Copies { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record ModelRevisionStates
{
    /// <summary><see cref="ModelStates"/>.</summary>
    [JsonPropertyName("activeModelState")]
    public string ActiveModelState { get; init; } = "";

    [JsonPropertyName("targetModelState")]
    public string? TargetModelState { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record FailureInfo
{
    [JsonPropertyName("location")]
    public string? Location { get; init; }

    /// <summary><see cref="FailureReasons"/>.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("modelRevisionName")]
    public string? ModelRevisionName { get; init; }

    [JsonPropertyName("time")]
    public string? Time { get; init; }

    [JsonPropertyName("exitCode")]
    public int? ExitCode { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record ModelCopies
{
    [JsonPropertyName("failedCopies")]
    public int FailedCopies { get; init; }

    [JsonPropertyName("totalCopies")]
    public int? TotalCopies { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary><c>status.canaryStatuses[]</c> (KServe v0.20 raw canary, kserve-api.md §3.5).</summary>
public sealed record CanaryStatus
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("ready")]
    public bool Ready { get; init; }

    [JsonPropertyName("trafficPercent")]
    public int TrafficPercent { get; init; }

    [JsonPropertyName("modelStatus")]
    public ModelStatus? ModelStatus { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
