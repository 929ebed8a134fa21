using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Kubernetes.Events;

/// <summary>The events a status change tells: readiness, a revision ready or failing, a promotion, a refused spec, a taken address.</summary>
public static class StatusEvents
{
    public static IReadOnlyList<ObjectEvent> Between(InferenceServiceStatus? before, InferenceServiceStatus after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var events = new List<ObjectEvent>();
        var ready = Condition(after.Conditions, ConditionTypes.Ready);
        var wasReady = Condition(before?.Conditions, ConditionTypes.Ready);
        if (ready is not null && (wasReady?.Status != ready.Status || (ready.Status == ConditionStatus.False && wasReady.Message != ready.Message)))
        {
            events.Add(ready.Status == ConditionStatus.True
                ? new ObjectEvent(ObjectEvent.Normal, "InferenceServiceReady", $"InferenceService is Ready at {after.Url}")
                : new ObjectEvent(
                    ready.Status == ConditionStatus.False ? ObjectEvent.Warning : ObjectEvent.Normal,
                    ready.Reason ?? "NotReady", ready.Message ?? $"Ready is {ready.Status}"));
        }

        foreach (var (component, status) in after.Components ?? new Dictionary<string, ComponentStatusSpec>())
        {
            var old = before?.Components?.GetValueOrDefault(component);
            if (status.LatestReadyRevision is { } latestReady && latestReady != old?.LatestReadyRevision)
            {
                events.Add(new ObjectEvent(ObjectEvent.Normal, "RevisionReady", $"{component} revision {latestReady} is ready"));
            }

            if (status.LatestRolledoutRevision is { } rolled && rolled != old?.LatestRolledoutRevision && old?.LatestRolledoutRevision is not null)
            {
                events.Add(new ObjectEvent(ObjectEvent.Normal, "RolledOut", $"{component} traffic moved to {rolled} (previously {old.LatestRolledoutRevision})"));
            }
        }

        var refused = Condition(after.Conditions, ConditionTypes.SpecAccepted);
        var wasRefused = Condition(before?.Conditions, ConditionTypes.SpecAccepted);
        if (refused is { Status: ConditionStatus.False } && refused.Message != wasRefused?.Message)
        {
            events.Add(new ObjectEvent(ObjectEvent.Warning, refused.Reason ?? "InvalidSpec", $"spec refused: {refused.Message}"));
        }

        if (AddressTaken(before?.Conditions, after.Conditions) is { } taken)
        {
            events.Add(taken);
        }

        return events;
    }

    /// <summary>A Warning when the cluster-local name (of an InferenceService or an InferenceGraph) is newly, or differently, taken.</summary>
    public static ObjectEvent? AddressTaken(IReadOnlyList<Condition>? before, IReadOnlyList<Condition>? after)
    {
        var address = Condition(after, ConditionTypes.AddressReady);
        return address is { Status: ConditionStatus.False } && address.Message != Condition(before, ConditionTypes.AddressReady)?.Message
            ? new ObjectEvent(ObjectEvent.Warning, address.Reason ?? "AddressConflict", address.Message ?? "the cluster-local address is taken")
            : null;
    }

    private static Condition? Condition(IReadOnlyList<Condition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);
}
