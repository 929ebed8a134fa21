using Serving.Controller.Admission;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Planning;

/// <summary>
/// An InferenceGraph's status as the controller writes it (KServe's shape: a <c>Ready</c> condition and the url): not
/// Ready when the graph was refused (<c>InvalidGraph</c>), when a step names an InferenceService that does not exist
/// (<c>ServiceNotFound</c>) or that cannot serve (<c>ServiceNotReady</c>, with its reason); Ready otherwise. A service that
/// starts or sits at zero replicas can serve (requests wait for it), as the gateway decides too. Where the platform gives
/// the graph a cluster-local name that something else holds, condition <c>AddressReady=False</c> (<c>AddressConflict</c>)
/// says so, as an InferenceService's does (KServe's graph status has no <c>address</c>).
/// </summary>
public static class GraphStatuses
{
    public const string ReadyCondition = "Ready";

    /// <param name="service">The InferenceService of that name in the graph's namespace, as stored (with its status); null when there is none.</param>
    /// <param name="addressTaken">Why the graph's cluster-local name is not its own (something else holds it), or null.</param>
    public static InferenceGraphStatus Of(
        AdmittedObject admitted, Func<string, InferenceService?> service, InferenceGraphStatus? previous, DateTimeOffset now, PlannerOptions options,
        string? addressTaken = null)
    {
        ArgumentNullException.ThrowIfNull(admitted);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var graph = (InferenceGraph)admitted.Object;
        string ns = graph.Metadata.NamespaceOrDefault();
        var (reason, message) = Problem(admitted, graph, service);
        string status = reason is null ? ConditionStatus.True : ConditionStatus.False;
        string stamp = ObjectMeta.Timestamp(now);
        var conditions = new List<Condition>();
        if (addressTaken is not null)
        {
            conditions.Add(new Condition { Type = ConditionTypes.AddressReady, Status = ConditionStatus.False, Reason = "AddressConflict", Message = addressTaken, LastTransitionTime = stamp });
        }

        conditions.Add(new Condition { Type = ReadyCondition, Status = status, Reason = reason, Message = message, LastTransitionTime = stamp });
        return new InferenceGraphStatus
        {
            ObservedGeneration = graph.Metadata.Generation,
            Url = reason is null ? $"{options.UrlScheme}://{graph.Metadata.Name}.{ns}.{options.Domain}" : null,
            Conditions = ConditionTimes.Keep(previous?.Conditions, conditions),
        };
    }

    private static (string? Reason, string? Message) Problem(AdmittedObject admitted, InferenceGraph graph, Func<string, InferenceService?> service)
    {
        if (!admitted.Accepted)
        {
            return ("InvalidGraph", string.Join("; ", admitted.Errors));
        }

        var missing = new List<string>();
        var unservable = new List<string>();
        foreach (var (node, router) in graph.Spec.Nodes ?? new Dictionary<string, InferenceRouter>())
        {
            foreach (var step in router.Steps ?? [])
            {
                if (step.ServiceName is not { } name)
                {
                    continue;
                }

                string where = $"InferenceService {name} (node '{node}')";
                if (service(name) is not { } found)
                {
                    missing.Add(where);
                }
                else if (CannotServe(found.Status) is { } why)
                {
                    unservable.Add($"{where} cannot serve: {why}");
                }
            }
        }

        return missing.Count > 0 ? ("ServiceNotFound", $"{string.Join(", ", missing.Distinct())} not found")
            : unservable.Count > 0 ? ("ServiceNotReady", string.Join("; ", unservable.Distinct()))
            : (null, null);
    }

    /// <summary>Why a service cannot take requests, or null: one that was ready, or whose first revision is still starting, can.</summary>
    private static string? CannotServe(InferenceServiceStatus? status)
    {
        if (status?.Components?.GetValueOrDefault(ComponentTypes.Predictor) is not { } predictor)
        {
            return status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready)?.Message ?? "it has not been reconciled yet";
        }

        var condition = status.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.PredictorReady);
        return predictor.LatestReadyRevision is null && (predictor.LatestCreatedRevision is null || condition?.Status == ConditionStatus.False)
            ? condition?.Message ?? "no revision of its predictor can serve"
            : null;
    }
}
