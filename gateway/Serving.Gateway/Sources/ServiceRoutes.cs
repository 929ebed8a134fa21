using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Gateway.Auth;
using Serving.Gateway.Model;
using TrafficTarget = Serving.Gateway.Model.TrafficTarget;

namespace Serving.Gateway.Sources;

/// <summary>What one revision offers routing now: its ready replicas, their per-replica limit, the protocol its model speaks.</summary>
/// <param name="Ready">Base addresses of the replicas ready now (<c>http://10.1.2.3:8080</c>).</param>
/// <param name="ContainerConcurrency">0 when there is no per-replica limit.</param>
public sealed record RevisionEndpoints(IReadOnlyList<string> Ready, int ContainerConcurrency = 0, string? ProtocolVersion = null);

/// <summary>
/// An InferenceService's route from its status, as the controller writes it for every backend: per component the traffic
/// with the revisions Knative's rules resolved it to, the latest created revision and readiness, plus what each revision
/// offers now. Every route source uses this one translation (the local platform, a Kubernetes watch).
/// </summary>
public static class ServiceRoutes
{
    /// <summary>The problem of a service whose auth annotations cannot be followed: every request is refused with 503 and why.</summary>
    public const string InvalidAuth = "InvalidAuth";

    /// <param name="service">The InferenceService as stored: metadata, spec and the status the controller wrote.</param>
    /// <param name="revisions">What a revision offers; null when it does not exist.</param>
    /// <remarks>
    /// Before any revision was ready, the latest created one takes the latest share, so that the first requests wait for
    /// it in the activator (Knative answers 503 until then). A service with a component that cannot serve (its spec was
    /// refused, no runtime serves its model, its first revision fails) has a <see cref="ServiceProblem"/>: 503 and why.
    /// The auth policy comes from its annotations (<see cref="AuthAnnotations"/>); annotations that cannot be followed are
    /// the problem <see cref="InvalidAuth"/>.
    /// </remarks>
    public static ServiceRoute From(InferenceService service, Func<string, RevisionEndpoints?> revisions)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(revisions);
        string @namespace = service.Metadata.NamespaceOrDefault();
        string name = service.Metadata.Name ?? "";
        var status = service.Status;
        var components = new Dictionary<Component, ComponentRoute>();
        string? protocol = null;
        ServiceProblem? problem = null;
        AuthPolicy? auth = null;
        try
        {
            auth = AuthAnnotations.Read(service.Metadata.Annotations);
        }
        catch (AuthPolicyException e)
        {
            problem = new ServiceProblem(InvalidAuth, e.Message); // refused, never served open
        }

        foreach (var (componentName, component) in status?.Components ?? new Dictionary<string, ComponentStatusSpec>())
        {
            if (!ComponentNames.TryParse(componentName, out var kind))
            {
                continue;
            }

            var traffic = new List<TrafficTarget>();
            foreach (var target in component.Traffic ?? [])
            {
                string? revision = target.RevisionName ?? (target.LatestRevision == true ? component.LatestCreatedRevision : null);
                if (revision is not null && revisions(revision) is not null)
                {
                    traffic.Add(new TrafficTarget(revision, (int)Math.Clamp(target.Percent ?? 0, 0, 100), target.Tag));
                }
            }

            var condition = status!.Conditions?.FirstOrDefault(c => c.Type == ConditionOf(componentName));
            bool failing = component.LatestReadyRevision is null && condition?.Status == ConditionStatus.False;
            if (traffic.Count == 0 || traffic.Sum(t => t.Percent) != 100 || failing)
            {
                problem ??= ProblemOf(status, condition);
                continue;
            }

            var routes = traffic.Select(t => t.Revision).Distinct(StringComparer.Ordinal).Select(r =>
            {
                var offered = revisions(r)!;
                if (kind == Component.Predictor)
                {
                    protocol ??= offered.ProtocolVersion;
                }

                return new RevisionRoute(r, offered.ContainerConcurrency, [.. offered.Ready.Select(a => new EndpointRoute(a, true))]);
            });
            components[kind] = new ComponentRoute(traffic, [.. routes]);
        }

        if (problem is null && !components.ContainsKey(Component.Predictor))
        {
            problem = status is null
                ? new ServiceProblem("NotReconciled", "the controller has not reconciled it yet")
                : ProblemOf(status, status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.PredictorReady));
        }

        return new ServiceRoute(@namespace, name, problem is null ? components : new Dictionary<Component, ComponentRoute>())
        {
            ProtocolVersion = protocol,
            Problem = problem,
            Auth = auth,
        };
    }

    /// <summary>The component's condition when it failed, else the service's <c>Ready</c> condition.</summary>
    private static ServiceProblem ProblemOf(InferenceServiceStatus status, Condition? component)
    {
        var condition = component is { Status: ConditionStatus.False } ? component : status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
        return new ServiceProblem(condition?.Reason ?? "RevisionMissing", condition?.Message ?? "no revision can serve it yet");
    }

    private static string ConditionOf(string component) => component switch
    {
        ComponentTypes.Transformer => ConditionTypes.TransformerReady,
        ComponentTypes.Explainer => ConditionTypes.ExplainerReady,
        _ => ConditionTypes.PredictorReady,
    };
}
