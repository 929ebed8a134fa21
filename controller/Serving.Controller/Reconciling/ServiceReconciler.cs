using System.Text.Json;
using Microsoft.Extensions.Logging;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Reconciling;

/// <summary>
/// One reconcile of an InferenceService, the same for every backend: observe what exists, admit the spec (strict fields,
/// defaults, validation, runtime selection), plan from what was observed, write the status when it changed, apply. A
/// refused spec keeps the last accepted one serving and is logged once, when the refusal first shows in status.
/// </summary>
public sealed partial class ServiceReconciler(IServingBackend backend, PlannerOptions options, TimeProvider time, ILogger<ServiceReconciler> logger)
{
    private string _runtimesJson = "[]";

    /// <summary>The runtimes selection chooses from (the platform's defaults included).</summary>
    public RuntimeCatalog Runtimes { get; private set; } = RuntimeCatalog.Defaults;

    /// <summary>Sets the installed ServingRuntimes and ClusterServingRuntimes; true when they changed (every service must then be reconciled: selection may differ).</summary>
    public bool SetRuntimes(IEnumerable<IKubeObject> runtimes)
    {
        ArgumentNullException.ThrowIfNull(runtimes);
        var list = runtimes.Where(r => r is IServingRuntime).ToList();
        string json = JsonSerializer.Serialize(list.Cast<object>(), KubeJson.Options);
        if (json == _runtimesJson)
        {
            return false;
        }

        _runtimesJson = json;
        Runtimes = RuntimeCatalog.From(list.Select(o => Defaulting.ObjectDefaulter.Default(o))).WithDefaultRuntimes();
        return true;
    }

    public async ValueTask<PlanResult> ReconcileAsync(InferenceService desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var observed = await backend.ObserveAsync(desired, cancellationToken);
        var admitted = Admission.Admission.Admit(desired with { Status = observed.Status }, Runtimes);
        var now = time.GetUtcNow();
        var result = ServicePlanner.Plan(admitted, observed, now, options);
        var status = ConditionTimes.Keep(observed.Status, result.Status);
        var service = (InferenceService)(result.Refusal is null ? admitted.Object : desired);

        // Status first: traffic only ever moves to revisions already observed ready, so announcing it before the plan is
        // applied is safe, and revisions it leaves are scaled down or deleted only after no status routes to them.
        if (!Same(status, observed.Status))
        {
            await backend.WriteStatusAsync(service, status, cancellationToken);
        }

        await backend.ApplyAsync(service, result.Plan, status, cancellationToken);

        var before = Refused(observed.Status);
        if (result.Refusal is { } refusal && (before?.Reason != refusal.Reason || before.Message != refusal.Message))
        {
            LogRefused(
                logger, $"{desired.Metadata.Namespace}/{desired.Metadata.Name}", refusal.Reason, refusal.Message,
                result.Plan is null ? "nothing runs" : "the last accepted spec keeps serving");
        }

        return result with { Status = status };
    }

    public ValueTask DeleteAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        backend.DeleteAsync(@namespace, name, cancellationToken);

    private static Condition? Refused(InferenceServiceStatus? status) =>
        status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.SpecAccepted && c.Status == ConditionStatus.False);

    private static bool Same(InferenceServiceStatus a, InferenceServiceStatus? b) =>
        b is not null && JsonSerializer.Serialize(a, KubeJson.Options) == JsonSerializer.Serialize(b, KubeJson.Options);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "InferenceService {Service} refused ({Reason}): {Message}; {Outcome}")]
    private static partial void LogRefused(ILogger logger, string service, string reason, string message, string outcome);
}
