using System.Text.Json.Nodes;
using Serving.Controller.Planning;

namespace Serving.Controller.Kubernetes.Backend;

/// <summary>
/// What a revision's Deployment and pods say about it, as the planner needs it (what KServe reads off a Knative revision
/// or a raw Deployment): Ready once a replica is ready; Failed while none is and a pod fails (an init container that exits
/// with an error, the storage initializer's "access denied" among them; a container crash-looping; an image that cannot be
/// pulled; the Deployment past its progress deadline), with the reason, the restarts and the last output; else Pending.
/// </summary>
internal static class RevisionObserver
{
    private static readonly HashSet<string> FailingWaits =
    [
        "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    ];

    public static RevisionObservation Observe(JsonObject deployment, IEnumerable<JsonObject> pods)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        int ready = deployment["status"]?["readyReplicas"]?.GetValue<int>() ?? 0;
        var failure = pods.Select(Failure).FirstOrDefault(f => f is not null) ?? ProgressDeadline(deployment);
        if (ready > 0)
        {
            return new RevisionObservation(RevisionPhase.Ready, ready, failure?.Message, failure?.ExitCode, failure?.Restarts ?? 0, failure?.Waiting);
        }

        return failure is { } f
            ? new RevisionObservation(RevisionPhase.Failed, 0, f.Message, f.ExitCode, f.Restarts, f.Waiting)
            : RevisionObservation.Pending;
    }

    private sealed record PodFailure(string Message, int? ExitCode, int Restarts, string? Waiting);

    private static PodFailure? Failure(JsonObject pod)
    {
        var status = pod["status"];
        foreach (var container in status?["initContainerStatuses"]?.AsArray() ?? [])
        {
            if (Failed(container, init: true) is { } failure)
            {
                return failure;
            }
        }

        foreach (var container in status?["containerStatuses"]?.AsArray() ?? [])
        {
            if (Failed(container, init: false) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private static PodFailure? Failed(JsonNode? container, bool init)
    {
        string name = container?["name"]?.GetValue<string>() ?? "container";
        int restarts = container?["restartCount"]?.GetValue<int>() ?? 0;
        var terminated = container?["state"]?["terminated"] ?? container?["lastState"]?["terminated"];
        var waiting = container?["state"]?["waiting"];
        string? waitingReason = waiting?["reason"]?.GetValue<string>();
        int? exitCode = terminated?["exitCode"]?.GetValue<int>();
        bool crashed = exitCode is not null and not 0 && (init || restarts > 0 || waitingReason is not null);
        if (!crashed && (waitingReason is null || !FailingWaits.Contains(waitingReason)))
        {
            return null;
        }

        string what = init ? $"init container {name}" : $"container {name}";
        string detail = terminated?["message"]?.GetValue<string>()?.Trim() is { Length: > 0 } output
            ? $"exited with code {exitCode}; last output:\n{output}"
            : exitCode is { } code ? $"exited with code {code} ({terminated?["reason"]?.GetValue<string>() ?? "Error"})"
            : waiting?["message"]?.GetValue<string>() ?? waitingReason ?? "failed";
        return new PodFailure($"{what} {detail}", exitCode, restarts, waitingReason ?? (init ? "Init:Error" : null));
    }

    private static PodFailure? ProgressDeadline(JsonObject deployment) =>
        deployment["status"]?["conditions"]?.AsArray()
            .FirstOrDefault(c => c?["type"]?.GetValue<string>() == "Progressing" && c["status"]?.GetValue<string>() == "False") is { } stuck
            ? new PodFailure($"the Deployment made no progress: {stuck["message"]?.GetValue<string>()}", null, 0, stuck["reason"]?.GetValue<string>())
            : null;
}
