using Microsoft.Extensions.Logging;

namespace Serving.TestCluster.Containers;

/// <summary>What a <see cref="ContainerRunner"/> needs from its pod.</summary>
internal sealed record ContainerHost(
    ImageMap Images,
    TimeProvider Time,
    ILogger Logger,
    TimeSpan BackoffBase,
    TimeSpan BackoffMax,
    Func<PodContext> Context,
    Func<CancellationToken, Task> RefreshObjectsAsync,
    Func<TimeSpan> GracePeriod,
    Func<string, string> LogPath,
    Action Changed)
{
    /// <summary>Always, OnFailure or Never.</summary>
    public string RestartPolicy(PodContext context) => context.Pod.Spec.RestartPolicy ?? "Always";
}
