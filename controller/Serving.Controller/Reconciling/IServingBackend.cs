using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Planning;

namespace Serving.Controller.Reconciling;

/// <summary>
/// What carries plans out: local processes on one machine, objects in a Kubernetes cluster. The core
/// (<see cref="ServiceReconciler"/>) observes through it, plans with pure functions, and hands it the plan and the status;
/// it never remembers anything itself. Every call is idempotent and level-based: applying the same plan twice changes
/// nothing the second time.
/// </summary>
public interface IServingBackend
{
    /// <summary>The revisions of the service that exist, with what is observed of each, and the status written last.</summary>
    ValueTask<ObservedService> ObserveAsync(InferenceService service, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the plan so: its revisions exist and run, retained ones exist at zero, every other revision of the service is
    /// deleted (a null plan: none runs), and routes follow <paramref name="status"/> (its traffic, its readiness).
    /// </summary>
    ValueTask ApplyAsync(InferenceService service, ServicePlan? plan, InferenceServiceStatus status, CancellationToken cancellationToken);

    /// <summary>Records the status (the status subresource, the local store); called only when it changed.</summary>
    ValueTask WriteStatusAsync(InferenceService service, InferenceServiceStatus status, CancellationToken cancellationToken);

    /// <summary>The service is gone: everything it made goes too.</summary>
    ValueTask DeleteAsync(string @namespace, string name, CancellationToken cancellationToken);
}
