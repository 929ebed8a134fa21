using System.Globalization;
using Serving.Controller.Admission;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Planning;

/// <summary>Settings of the platform that show in plans and status.</summary>
/// <param name="Domain">Hosts are <c>{isvc}.{ns}.{domain}</c>.</param>
public sealed record PlannerOptions(string Domain = "example.com", string UrlScheme = "http");

/// <summary>
/// The controller's core as a pure function: an admitted InferenceService, the state kept from the last reconcile and
/// what the backend observed, in; the plan, the new state and KServe-shaped status out. The local backend and the
/// Kubernetes controller both run it.
/// </summary>
public static class ServicePlanner
{
    public static PlanResult Plan(
        AdmittedObject admitted, ServiceState? previous, Func<string, RevisionObservation> observe, DateTimeOffset now, PlannerOptions options)
    {
        ArgumentNullException.ThrowIfNull(admitted);
        ArgumentNullException.ThrowIfNull(observe);
        ArgumentNullException.ThrowIfNull(options);
        var isvc = (InferenceService)admitted.Object;
        string created = previous?.CreationTimestamp ?? isvc.Metadata.CreationTimestamp ?? now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        if (!admitted.Accepted)
        {
            return new PlanResult(null, previous, ServiceStatus.Rejected(isvc, admitted.Errors, now));
        }

        if (admitted.Selection is { Outcome: RuntimeSelectionOutcome.Failed, Failure: { } failure })
        {
            return new PlanResult(null, previous, ServiceStatus.NoRuntime(isvc, failure, now));
        }

        string mode = previous?.DeploymentMode
            ?? DeploymentModes.Resolve(isvc.Status?.DeploymentMode, isvc.Metadata.Annotation(Annotations.DeploymentMode), DeploymentModes.Knative);
        bool tagRouting = isvc.Metadata.Annotation(Annotations.EnableTagRouting) == "true";
        string name = isvc.Metadata.Name!;
        var books = new Dictionary<string, RevisionBook>(StringComparer.Ordinal);
        var components = new List<ComponentPlan>();
        foreach (var (component, spec, template) in Components(isvc, admitted.Selection?.Runtime))
        {
            var book = previous?.Components.GetValueOrDefault(component) ?? RevisionBook.Empty;
            book = RevisionBookkeeping.Reconcile(book, $"{name}-{component}", template, spec.CanaryTrafficPercent, tagRouting, r => observe(r).Phase);
            books[component] = book;
            var live = RevisionBookkeeping.Live(book, r => observe(r).Phase);
            components.Add(new ComponentPlan(component, live, RoutedTraffic(book, live)));
        }

        var state = new ServiceState(books, mode, created);
        var plan = new ServicePlan(isvc.Metadata.Namespace!, name, mode, components);
        return new PlanResult(plan, state, ServiceStatus.Planned(isvc, state, observe, now, options));
    }

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

    private static IEnumerable<(string Component, ComponentSpec Spec, RevisionTemplate Template)> Components(InferenceService isvc, SelectedRuntime? runtime)
    {
        var spec = isvc.Spec;
        if (spec.Predictor is { } predictor)
        {
            yield return (ComponentTypes.Predictor, predictor, RevisionTemplates.Predictor(isvc, runtime));
        }

        if (spec.Transformer is { } transformer)
        {
            yield return (ComponentTypes.Transformer, transformer, RevisionTemplates.Custom(isvc, ComponentTypes.Transformer, transformer));
        }

        if (spec.Explainer is { } explainer)
        {
            yield return (ComponentTypes.Explainer, explainer, RevisionTemplates.Custom(isvc, ComponentTypes.Explainer, explainer));
        }
    }
}
