using Serving.Controller.Admission;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Planning;

/// <summary>Settings of the platform that show in plans and status.</summary>
/// <param name="Domain">Hosts are <c>{isvc}.{ns}.{domain}</c>.</param>
/// <param name="ClusterLocalDomain">
/// The cluster's service domain (<c>svc.cluster.local</c> on Kubernetes): <c>status.address.url</c> is
/// <c>http://{isvc}.{ns}.{that}</c>. Null where there is no cluster DNS (the local platform): no address.
/// </param>
public sealed record PlannerOptions(string Domain = "example.com", string UrlScheme = "http", string? ClusterLocalDomain = null);

/// <summary>
/// The controller's core as a pure function: an admitted InferenceService and what the backend observes of it (the
/// revisions that exist, the status written last) in; the plan and KServe-shaped status out. Nothing is carried from one
/// reconcile to the next, so the local backend and the Kubernetes controller can both restart at any moment.
/// </summary>
public static class ServicePlanner
{
    public static PlanResult Plan(AdmittedObject admitted, ObservedService observed, DateTimeOffset now, PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(admitted);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(options);
        var isvc = (InferenceService)admitted.Object;
        var refusal = RefusalOf(admitted);
        if (refusal is not null && observed.Revisions.Count == 0)
        {
            // Nothing was ever accepted: nothing runs, and the status says why.
            var status = admitted.Accepted ? ServiceStatus.NoRuntime(isvc, admitted.Selection!.Failure!, now) : ServiceStatus.Rejected(isvc, admitted.Errors, now);
            return new PlanResult(null, ServiceStatus.WithRefusal(status, refusal, now), refusal);
        }

        var wasReady = RevisionBookkeeping.EverReady(observed.Status);
        // A revision that was ready stays ready for the bookkeeping (Knative never moves latestReady back); what its
        // replicas do now (none ready, crashing) shows in status through the observation.
        RevisionPhase PhaseOf(string revision) => wasReady.Contains(revision) ? RevisionPhase.Ready : observed.Observe(revision).Phase;

        string name = isvc.Metadata.Name!;
        var books = new Dictionary<string, RevisionBook>(StringComparer.Ordinal);
        var components = new List<ComponentPlan>();
        string mode;
        if (refusal is null)
        {
            mode = DeploymentModes.Resolve(observed.Status?.DeploymentMode, isvc.Metadata.Annotation(Annotations.DeploymentMode), DeploymentModes.Knative);
            bool tagRouting = isvc.Metadata.Annotation(Annotations.EnableTagRouting) == "true";
            foreach (var (component, spec, template) in Components(isvc, admitted.Selection?.Runtime, mode))
            {
                var book = RevisionBookkeeping.Rebuild(Existing(observed, component), observed.Status?.Components?.GetValueOrDefault(component));
                books[component] = RevisionBookkeeping.Reconcile(book, $"{name}-{component}", template, spec.CanaryTrafficPercent, tagRouting, PhaseOf);
            }
        }
        else
        {
            // A refused update never tears the service down: what the last accepted spec made keeps running as it was.
            mode = observed.Status?.DeploymentMode ?? DeploymentModes.Knative;
            foreach (string component in observed.Revisions.Select(r => r.Component).Distinct(StringComparer.Ordinal))
            {
                var status = observed.Status?.Components?.GetValueOrDefault(component);
                var book = RevisionBookkeeping.Rebuild(Existing(observed, component), status);
                var (percent, tags) = RevisionBookkeeping.FromTraffic(status?.Traffic);
                books[component] = RevisionBookkeeping.Settle(book, percent, tags, PhaseOf);
            }
        }

        foreach (var (component, book) in books)
        {
            var live = RevisionBookkeeping.Live(book, PhaseOf);
            components.Add(new ComponentPlan(component, live, RoutedTraffic(book, live), RevisionBookkeeping.Retained(book, live)));
        }

        var plan = new ServicePlan(isvc.Metadata.Namespace!, name, mode, components, refusal is null ? admitted.Selection?.Runtime : null);
        var planned = ServiceStatus.Planned(isvc, books, mode, PhaseOf, observed.Observe, now, options, observed.AddressTaken);
        if (refusal is not null)
        {
            planned = ServiceStatus.WithRefusal(planned, refusal, now) with
            {
                ServingRuntimeName = observed.Status?.ServingRuntimeName,
                ClusterServingRuntimeName = observed.Status?.ClusterServingRuntimeName,
            };
        }

        return new PlanResult(plan, planned, refusal);
    }

    /// <summary>Why the object cannot be applied: admission errors, or no runtime for its model.</summary>
    private static Refusal? RefusalOf(AdmittedObject admitted)
    {
        if (!admitted.Accepted)
        {
            return new Refusal("InvalidSpec", string.Join("; ", admitted.Errors));
        }

        return admitted.Selection is { Outcome: RuntimeSelectionOutcome.Failed, Failure: { } failure }
            ? new Refusal(failure.Reason, failure.Error)
            : null;
    }

    private static IEnumerable<RevisionRecord> Existing(ObservedService observed, string component) =>
        observed.Revisions.Where(r => r.Component == component).Select(r => r.Record);

    /// <summary>
    /// The traffic the gateway routes by. While no revision has ever been ready, the latest created one takes the
    /// latest share so that the first requests wait for it in the activator (Knative would answer 503 until ready);
    /// entries that reach no live revision (a first revision that failed) are left out.
    /// </summary>
    private static IReadOnlyList<PlannedTraffic> RoutedTraffic(RevisionBook book, IReadOnlyList<RevisionRecord> live) =>
    [
        .. book.Traffic
            .Select(t => t.Revision is null ? t with { Revision = book.LatestCreated?.Name } : t)
            .Where(t => live.Any(r => r.Name == t.Revision)),
    ];

    private static IEnumerable<(string Component, ComponentSpec Spec, RevisionTemplate Template)> Components(
        InferenceService isvc, SelectedRuntime? runtime, string mode)
    {
        var spec = isvc.Spec;
        if (spec.Predictor is { } predictor)
        {
            yield return (ComponentTypes.Predictor, predictor, RevisionTemplates.Predictor(isvc, runtime, mode));
        }

        if (spec.Transformer is { } transformer)
        {
            yield return (ComponentTypes.Transformer, transformer, RevisionTemplates.Custom(isvc, mode, ComponentTypes.Transformer, transformer));
        }

        if (spec.Explainer is { } explainer)
        {
            yield return (ComponentTypes.Explainer, explainer, RevisionTemplates.Custom(isvc, mode, ComponentTypes.Explainer, explainer));
        }
    }
}
