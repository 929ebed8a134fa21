namespace Serving.Controller.Planning;

/// <summary>
/// What should run for one InferenceService: per component, the live revisions (each with its template) and the
/// traffic over them. A backend (local processes, or Kubernetes objects) makes it so; the gateway routes by it.
/// </summary>
public sealed record ServicePlan(string Namespace, string Name, string DeploymentMode, IReadOnlyList<ComponentPlan> Components);

/// <summary>One component's live revisions and traffic. Traffic entries name revisions in <paramref name="Revisions"/>.</summary>
public sealed record ComponentPlan(string Component, IReadOnlyList<RevisionRecord> Revisions, IReadOnlyList<PlannedTraffic> Traffic);

/// <summary>What a backend has seen of one revision.</summary>
/// <param name="ReadyReplicas">Replicas ready right now (0 when scaled to zero).</param>
/// <param name="Message">Why it failed, when it did.</param>
public sealed record RevisionObservation(RevisionPhase Phase, int ReadyReplicas = 0, string? Message = null, int? ExitCode = null)
{
    public static RevisionObservation Pending { get; } = new(RevisionPhase.Pending);
}

/// <summary>What the planner keeps between reconciles of one InferenceService.</summary>
/// <param name="Components">Revision books by component name.</param>
/// <param name="CreationTimestamp">When the platform first saw the object (RFC 3339), for <c>AGE</c>.</param>
public sealed record ServiceState(IReadOnlyDictionary<string, RevisionBook> Components, string DeploymentMode, string CreationTimestamp);

/// <summary>The planner's answer: the plan (null when nothing may run), the state to keep, and the KServe status.</summary>
public sealed record PlanResult(ServicePlan? Plan, ServiceState? State, Api.V1Beta1.InferenceServiceStatus Status);
