using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Planning;
using Serving.Controller.Reconciling;

namespace Serving.Controller.Tests.Reconciling;

/// <summary>
/// A backend that only keeps records, as an API server would: the revisions the plans made (each pending until the test
/// makes it ready or failed) and the status written last. Nothing else survives between reconciles.
/// </summary>
internal sealed class InMemoryBackend : IServingBackend
{
    private readonly Dictionary<string, ObservedRevision> _revisions = new(StringComparer.Ordinal);

    public InferenceServiceStatus? Status { get; private set; }

    public ServicePlan? LastPlan { get; private set; }

    public int StatusWrites { get; private set; }

    public IReadOnlyList<string> Revisions => [.. _revisions.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Revisions of the last plan that run (not retained).</summary>
    public IReadOnlyList<string> Running => [.. LastPlan?.Components.SelectMany(c => c.Revisions).Select(r => r.Name) ?? []];

    public void Ready(string revision, int replicas = 1) => Observe(revision, new RevisionObservation(RevisionPhase.Ready, replicas));

    public void Fail(string revision, string message) =>
        Observe(revision, new RevisionObservation(RevisionPhase.Failed, 0, message, 1, Restarts: 2, Waiting: "CrashLoopBackOff"));

    public void Observe(string revision, RevisionObservation observation) =>
        _revisions[revision] = _revisions[revision] with { Observation = observation };

    /// <summary>What a restarted process sees: the records, with nothing observed running yet.</summary>
    public void Restart()
    {
        foreach (var name in _revisions.Keys.ToList())
        {
            Observe(name, RevisionObservation.Pending);
        }
    }

    public ValueTask<ObservedService> ObserveAsync(InferenceService service, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ObservedService([.. _revisions.Values], Status));

    public ValueTask ApplyAsync(InferenceService service, ServicePlan? plan, InferenceServiceStatus status, CancellationToken cancellationToken)
    {
        LastPlan = plan;
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var component in plan?.Components ?? [])
        {
            foreach (var revision in component.Revisions.Concat(component.Retained))
            {
                keep.Add(revision.Name);
                _revisions.TryAdd(revision.Name, new ObservedRevision(component.Component, revision, RevisionObservation.Pending));
            }
        }

        foreach (var gone in _revisions.Keys.Where(k => !keep.Contains(k)).ToList())
        {
            _revisions.Remove(gone);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask WriteStatusAsync(InferenceService service, InferenceServiceStatus status, CancellationToken cancellationToken)
    {
        Status = status;
        StatusWrites++;
        return ValueTask.CompletedTask;
    }

    public ValueTask DeleteAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        _revisions.Clear();
        Status = null;
        return ValueTask.CompletedTask;
    }
}
