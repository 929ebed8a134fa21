using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Planning;

/// <summary>
/// KServe-shaped status (kserve-api.md §1.7–§1.8, §3.2): conditions <c>PredictorReady</c> (and the other components'),
/// <c>IngressReady</c>, <c>Ready</c>; <c>url</c>; <c>components</c> with revisions and traffic; <c>modelStatus</c>.
/// </summary>
internal static class ServiceStatus
{
    public static InferenceServiceStatus Rejected(InferenceService isvc, IReadOnlyList<string> errors, DateTimeOffset now)
    {
        string message = string.Join("; ", errors);
        return (isvc.Status ?? new InferenceServiceStatus()) with
        {
            Conditions =
            [
                Condition(ConditionTypes.IngressReady, ConditionStatus.False, now, "InvalidSpec", message),
                Condition(ConditionTypes.PredictorReady, ConditionStatus.False, now, "InvalidSpec", message),
                Condition(ConditionTypes.Ready, ConditionStatus.False, now, "InvalidSpec", message),
            ],
            ModelStatus = new ModelStatus
            {
                TransitionStatus = TransitionStatuses.InvalidSpec,
                States = new ModelRevisionStates { ActiveModelState = ModelStates.Pending, TargetModelState = ModelStates.FailedToLoad },
                LastFailureInfo = new FailureInfo { Reason = FailureReasons.InvalidPredictorSpec, Message = message },
            },
        };
    }

    /// <summary>No runtime can serve the model: KServe's reason (<c>NoSupportingRuntime</c>…) and the error naming the format.</summary>
    public static InferenceServiceStatus NoRuntime(InferenceService isvc, RuntimeSelectionFailure failure, DateTimeOffset now)
    {
        var status = isvc.Status ?? new InferenceServiceStatus();
        return status with
        {
            Conditions =
            [
                Condition(ConditionTypes.IngressReady, ConditionStatus.False, now, "Predictor ingress not created", null),
                Condition(ConditionTypes.PredictorReady, ConditionStatus.False, now, failure.Reason, failure.Error),
                Condition(ConditionTypes.Ready, ConditionStatus.False, now, failure.Reason, failure.Error),
            ],
        };
    }

    /// <summary>
    /// Status of a planned service. <paramref name="phaseOf"/> is the bookkeeping's view (a revision that was ready stays
    /// ready); <paramref name="observe"/> is what the backend sees now (ready replicas, a start that keeps failing).
    /// <c>address</c> follows <c>url</c>, on a platform with cluster DNS, unless <paramref name="addressTaken"/> says the
    /// name is not the service's (then condition <c>AddressReady=False</c> says why).
    /// </summary>
    public static InferenceServiceStatus Planned(
        InferenceService isvc, IReadOnlyDictionary<string, RevisionBook> books, string mode, Func<string, RevisionPhase> phaseOf,
        Func<string, RevisionObservation> observe, DateTimeOffset now, PlannerOptions options, string? addressTaken = null)
    {
        string ns = isvc.Metadata.Namespace!;
        string name = isvc.Metadata.Name!;
        var conditions = new List<Condition>();
        var components = new Dictionary<string, ComponentStatusSpec>(StringComparer.Ordinal);
        string? notReady = null;
        foreach (var (component, book) in books)
        {
            var (status, reason, message) = ComponentReadiness(book, phaseOf, observe);
            conditions.Add(Condition(ComponentCondition(component), status, now, reason, message));
            if (status != ConditionStatus.True)
            {
                notReady ??= message ?? $"{ComponentCondition(component)} is {status}";
            }

            int replicas = book.Revisions.Sum(r => observe(r.Name).ReadyReplicas);
            components[component] = new ComponentStatusSpec
            {
                LatestCreatedRevision = book.LatestCreated?.Name,
                LatestReadyRevision = book.LatestReadyRevision,
                LatestRolledoutRevision = book.LatestRolledoutRevision,
                PreviousRolledoutRevision = book.PreviousRolledoutRevision,
                Traffic = RevisionBookkeeping.StatusTraffic(book, tag => $"{options.UrlScheme}://{tag}-{name}-{component}.{ns}.{options.Domain}"),
                Url = status == ConditionStatus.True ? $"{options.UrlScheme}://{name}-{component}.{ns}.{options.Domain}" : null,
                ExtensionData = new Dictionary<string, System.Text.Json.JsonElement>
                {
                    [ComponentStatusSpec.ReplicasKey] = System.Text.Json.JsonSerializer.SerializeToElement(replicas),
                },
            };
        }

        bool routed = books.Count > 0 && books.Values.All(b => b.LatestReadyRevision is not null);
        // Routes exist once a revision is ready; before that the ingress is Unknown, and False only when a component failed.
        string ingress = routed ? ConditionStatus.True : WorstStatus(conditions);
        conditions.Add(routed
            ? Condition(ConditionTypes.IngressReady, ConditionStatus.True, now, null, null)
            : Condition(ConditionTypes.IngressReady, ingress, now, "Predictor ingress not created", null));
        bool ready = notReady is null && routed;
        conditions.Add(ready
            ? Condition(ConditionTypes.Ready, ConditionStatus.True, now, null, null)
            : Condition(ConditionTypes.Ready, notReady is null ? ConditionStatus.Unknown : WorstStatus(conditions), now, "RevisionNotReady", notReady));
        if (addressTaken is not null)
        {
            conditions.Add(Condition(ConditionTypes.AddressReady, ConditionStatus.False, now, "AddressConflict", addressTaken));
        }

        conditions.Sort((a, b) => string.CompareOrdinal(a.Type, b.Type));
        bool addressed = ready || routed;

        var predictor = books.GetValueOrDefault(ComponentTypes.Predictor);
        return (isvc.Status ?? new InferenceServiceStatus()) with
        {
            ObservedGeneration = isvc.Metadata.Generation,
            Conditions = conditions,
            Url = addressed ? $"{options.UrlScheme}://{name}.{ns}.{options.Domain}" : null,
            Address = addressed && addressTaken is null && options.ClusterLocalDomain is { } local
                ? new Addressable { Url = $"http://{name}.{ns}.{local}" }
                : null,
            Components = components,
            ModelStatus = predictor is null ? null : Model(predictor, phaseOf, observe, ready),
            DeploymentMode = mode,
        };
    }

    /// <summary>
    /// A refused update: the status of what keeps serving, plus condition <c>SpecAccepted=False</c> with the reason and
    /// message (not a KServe condition: KServe's webhook refuses such an update before it is stored).
    /// </summary>
    public static InferenceServiceStatus WithRefusal(InferenceServiceStatus status, Refusal refusal, DateTimeOffset now) => status with
    {
        Conditions =
        [
            .. (status.Conditions ?? []).Where(c => c.Type != ConditionTypes.SpecAccepted),
            Condition(ConditionTypes.SpecAccepted, ConditionStatus.False, now, refusal.Reason, refusal.Message),
        ],
    };

    private static string WorstStatus(List<Condition> conditions) =>
        conditions.Any(c => c.Status == ConditionStatus.False) ? ConditionStatus.False : ConditionStatus.Unknown;

    /// <summary>
    /// Knative's Service readiness as KServe copies it: failed when the latest created revision fails (to start, or its
    /// replicas keep crashing with none ready), unknown while it starts or while nothing has been ready yet, true once
    /// traffic reaches a ready revision and the latest is ready.
    /// </summary>
    private static (string Status, string? Reason, string? Message) ComponentReadiness(
        RevisionBook book, Func<string, RevisionPhase> phaseOf, Func<string, RevisionObservation> observe)
    {
        if (book.LatestCreated is not { } latest)
        {
            return (ConditionStatus.Unknown, "RevisionMissing", "no revision has been created yet");
        }

        var observation = observe(latest.Name);
        return phaseOf(latest.Name) switch
        {
            RevisionPhase.Failed => (ConditionStatus.False, "RevisionFailed", $"Revision \"{latest.Name}\" failed with message: {Describe(observation)}."),
            RevisionPhase.Pending => (ConditionStatus.Unknown, "RevisionMissing", $"Revision \"{latest.Name}\" is not ready yet."),
            _ when observation is { Waiting: not null, ReadyReplicas: 0 } =>
                (ConditionStatus.False, "RevisionFailed", $"Revision \"{latest.Name}\" failed with message: {Describe(observation)}."),
            _ => (ConditionStatus.True, null, null),
        };
    }

    /// <summary>The backend's message, with the restarts and what it waits for when it retries (as a pod's status says).</summary>
    private static string? Describe(RevisionObservation observation) => observation switch
    {
        { Waiting: { } waiting } => $"{waiting} (restarts: {observation.Restarts}): {observation.Message}",
        _ => observation.Message,
    };

    private static ModelStatus Model(RevisionBook book, Func<string, RevisionPhase> phaseOf, Func<string, RevisionObservation> observe, bool ready)
    {
        var latest = book.LatestCreated!;
        var observation = observe(latest.Name);
        string active = book.LatestReadyRevision is not null ? ModelStates.Loaded : ModelStates.Pending;
        int copies = book.Revisions.Sum(r => observe(r.Name).ReadyReplicas);
        var phase = phaseOf(latest.Name);
        bool failing = phase == RevisionPhase.Failed || observation is { Waiting: not null, ReadyReplicas: 0 };
        return phase switch
        {
            _ when failing => new ModelStatus
            {
                TransitionStatus = TransitionStatuses.BlockedByFailedLoad,
                States = new ModelRevisionStates { ActiveModelState = book.LatestReadyRevision is null ? ModelStates.FailedToLoad : active, TargetModelState = ModelStates.FailedToLoad },
                LastFailureInfo = new FailureInfo
                {
                    Location = latest.Name,
                    Reason = FailureReasons.ModelLoadFailed,
                    Message = Describe(observation),
                    ModelRevisionName = latest.Name,
                    ExitCode = observation.ExitCode,
                },
                Copies = new ModelCopies { FailedCopies = 1, TotalCopies = copies },
            },
            RevisionPhase.Pending => new ModelStatus
            {
                TransitionStatus = TransitionStatuses.InProgress,
                States = new ModelRevisionStates { ActiveModelState = active, TargetModelState = ModelStates.Loading },
                Copies = new ModelCopies { TotalCopies = copies },
            },
            _ => new ModelStatus
            {
                TransitionStatus = ready ? TransitionStatuses.UpToDate : TransitionStatuses.InProgress,
                States = new ModelRevisionStates { ActiveModelState = ModelStates.Loaded, TargetModelState = ModelStates.Loaded },
                Copies = new ModelCopies { TotalCopies = copies },
            },
        };
    }

    private static string ComponentCondition(string component) => component switch
    {
        ComponentTypes.Transformer => ConditionTypes.TransformerReady,
        ComponentTypes.Explainer => ConditionTypes.ExplainerReady,
        _ => ConditionTypes.PredictorReady,
    };

    private static Condition Condition(string type, string status, DateTimeOffset now, string? reason, string? message) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = message,
        LastTransitionTime = ObjectMeta.Timestamp(now),
        Severity = null,
    };
}
