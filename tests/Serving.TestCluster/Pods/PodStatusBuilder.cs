using k8s.Models;

namespace Serving.TestCluster.Pods;

/// <summary>
/// A pod's status from its containers' statuses, as the kubelet (1.20) computes it: the phase (its getPhase), the
/// conditions Initialized / ContainersReady / Ready with their reasons, PodScheduled kept from the scheduler, and
/// each condition's lastTransitionTime kept until its status changes.
/// </summary>
internal static class PodStatusBuilder
{
    public static V1PodStatus Build(
        V1Pod pod,
        IReadOnlyList<V1ContainerStatus> initStatuses,
        IReadOnlyList<V1ContainerStatus> statuses,
        string? podIP,
        string hostIP,
        DateTime startTime,
        IList<V1PodCondition>? previous,
        DateTime now)
    {
        var spec = pod.Spec;
        string phase = Phase(spec, initStatuses, statuses);
        var notInitialized = initStatuses.Where(s => s.State.Terminated is not { ExitCode: 0 }).Select(s => s.Name).ToList();
        var notReady = statuses.Where(s => !s.Ready).Select(s => s.Name).ToList();
        bool completed = phase == "Succeeded";
        var containersReady = completed
            ? Condition("ContainersReady", false, "PodCompleted", null)
            : notReady.Count == 0
                ? Condition("ContainersReady", true, null, null)
                : Condition("ContainersReady", false, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', notReady)}]");
        var gatesNotReady = (spec.ReadinessGates ?? [])
            .Select(g => g.ConditionType)
            .Where(type => pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status != "True")
            .ToList();
        var ready = containersReady.Status == "True" && gatesNotReady.Count > 0
            ? Condition("Ready", false, "ReadinessGatesNotReady", $"corresponding condition of pod readiness gate \"{gatesNotReady[0]}\" does not exist.")
            : Condition("Ready", containersReady.Status == "True", containersReady.Reason, containersReady.Message);
        var conditions = new List<V1PodCondition>
        {
            notInitialized.Count == 0
                ? Condition("Initialized", true, null, null)
                : Condition("Initialized", false, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', notInitialized)}]"),
            ready,
            containersReady,
            pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled") ?? Condition("PodScheduled", true, null, null),
        };

        // Keep what others wrote (readiness gates' conditions); stamp transition times.
        conditions.AddRange((pod.Status?.Conditions ?? []).Where(c => conditions.All(own => own.Type != c.Type)));
        foreach (var condition in conditions)
        {
            var before = previous?.FirstOrDefault(c => c.Type == condition.Type) ?? pod.Status?.Conditions?.FirstOrDefault(c => c.Type == condition.Type);
            condition.LastTransitionTime ??= before?.Status == condition.Status ? before.LastTransitionTime ?? now : now;
            condition.LastProbeTime = null;
        }

        return new V1PodStatus
        {
            Phase = phase,
            Conditions = conditions,
            HostIP = hostIP,
            HostIPs = [new V1HostIP { Ip = hostIP }],
            PodIP = podIP,
            PodIPs = podIP is null ? null : [new V1PodIP { Ip = podIP }],
            StartTime = startTime,
            InitContainerStatuses = [.. initStatuses],
            ContainerStatuses = [.. statuses],
        };
    }

    /// <summary>The kubelet's getPhase.</summary>
    public static string Phase(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> initStatuses, IReadOnlyList<V1ContainerStatus> statuses)
    {
        int pendingInitialization = 0;
        int failedInitialization = 0;
        foreach (var init in spec.InitContainers ?? [])
        {
            var status = initStatuses.FirstOrDefault(s => s.Name == init.Name);
            if (status?.State.Terminated is { } terminated)
            {
                failedInitialization += terminated.ExitCode != 0 ? 1 : 0;
            }
            else if (status?.State.Waiting is not null && status.LastState?.Terminated is { } last)
            {
                failedInitialization += last.ExitCode != 0 ? 1 : 0;
            }
            else
            {
                pendingInitialization++;
            }
        }

        int unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var container in spec.Containers)
        {
            var status = statuses.FirstOrDefault(s => s.Name == container.Name);
            if (status?.State.Running is not null)
            {
                running++;
            }
            else if (status?.State.Terminated is { } terminated)
            {
                stopped++;
                succeeded += terminated.ExitCode == 0 ? 1 : 0;
            }
            else if (status?.State.Waiting is not null)
            {
                if (status.LastState?.Terminated is not null)
                {
                    stopped++;
                }
                else
                {
                    waiting++;
                }
            }
            else
            {
                unknown++;
            }
        }

        string policy = spec.RestartPolicy ?? "Always";
        if (failedInitialization > 0 && policy == "Never")
        {
            return "Failed";
        }

        if (pendingInitialization > 0 || waiting > 0)
        {
            return "Pending";
        }

        if (running > 0 && unknown == 0)
        {
            return "Running";
        }

        if (running == 0 && stopped > 0 && unknown == 0)
        {
            return policy == "Always" ? "Running" : stopped == succeeded ? "Succeeded" : policy == "Never" ? "Failed" : "Running";
        }

        return "Pending";
    }

    private static V1PodCondition Condition(string type, bool status, string? reason, string? message) =>
        new() { Type = type, Status = status ? "True" : "False", Reason = reason, Message = message };
}
