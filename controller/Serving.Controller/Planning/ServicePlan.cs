using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Planning;

/// <summary>
/// What should exist for one InferenceService: per component, the revisions that run (each with its template), those
/// kept at zero, and the traffic over them. A backend (local processes, Kubernetes objects) makes it so and deletes
/// every other revision of the service.
/// </summary>
/// <param name="Runtime">The runtime selected for the predictor's model (null for custom containers): a backend that
/// builds pods from it (Kubernetes) needs its container; one that runs the template's command (local) does not.</param>
public sealed record ServicePlan(
    string Namespace, string Name, string DeploymentMode, IReadOnlyList<ComponentPlan> Components, RuntimeSelection.SelectedRuntime? Runtime = null);

/// <summary>One component's revisions and traffic. Traffic entries name revisions in <paramref name="Revisions"/>.</summary>
/// <param name="Revisions">The revisions that run: those traffic reaches, and the latest while it is not ready yet.</param>
/// <param name="Retained">
/// Revisions kept at zero replicas: the latest created one (its number and outcome stay known) and the previously rolled
/// out one (a rollback after a promotion goes back to it, as KServe does with Knative's retained revisions).
/// </param>
public sealed record ComponentPlan(
    string Component, IReadOnlyList<RevisionRecord> Revisions, IReadOnlyList<PlannedTraffic> Traffic, IReadOnlyList<RevisionRecord> Retained);

/// <summary>What a backend observes of one revision's replicas.</summary>
/// <param name="Phase">Pending until a replica was ready once; Failed when it cannot start (it may be retrying).</param>
/// <param name="ReadyReplicas">Replicas ready right now (0 when scaled to zero).</param>
/// <param name="Message">Why it fails, when it does: the reason, the last output of the replica.</param>
/// <param name="Restarts">Failed starts or crashes in a row (a pod's restartCount).</param>
/// <param name="Waiting">What the backend is waiting for when it retries (<c>CrashLoopBackOff</c>), like a container's waiting reason.</param>
public sealed record RevisionObservation(
    RevisionPhase Phase, int ReadyReplicas = 0, string? Message = null, int? ExitCode = null, int Restarts = 0, string? Waiting = null)
{
    public static RevisionObservation Pending { get; } = new(RevisionPhase.Pending);
}

/// <summary>
/// What a backend observes of one InferenceService: the revisions that exist and the status it wrote last. The planner
/// keeps nothing between reconciles; its state is rebuilt from this, so a controller may restart at any moment.
/// </summary>
/// <param name="AddressTaken">Why the service's cluster-local name is not its own (something else holds it), or null.</param>
public sealed record ObservedService(IReadOnlyList<ObservedRevision> Revisions, InferenceServiceStatus? Status, string? AddressTaken = null)
{
    public static ObservedService Nothing { get; } = new([], null);

    public RevisionObservation Observe(string revision) =>
        Revisions.FirstOrDefault(r => r.Record.Name == revision)?.Observation ?? RevisionObservation.Pending;
}

/// <summary>A revision that exists (a local record, a Deployment), with what is observed of its replicas.</summary>
/// <param name="Component"><c>predictor</c>, <c>transformer</c> or <c>explainer</c>.</param>
public sealed record ObservedRevision(string Component, RevisionRecord Record, RevisionObservation Observation);

/// <summary>The planner's answer: the plan (null when nothing may run) and the KServe status.</summary>
/// <param name="Refusal">Why the spec was refused (its last accepted revisions keep serving), null when it was accepted.</param>
public sealed record PlanResult(ServicePlan? Plan, InferenceServiceStatus Status, Refusal? Refusal);

/// <summary>Why a spec was not applied: KServe's reason (<c>InvalidSpec</c>, <c>NoSupportingRuntime</c>…) and the message.</summary>
public sealed record Refusal(string Reason, string Message);
