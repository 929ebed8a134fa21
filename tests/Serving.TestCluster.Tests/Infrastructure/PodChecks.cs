using k8s.Models;

namespace Serving.TestCluster.Tests.Infrastructure;

internal static class PodChecks
{
    public static bool IsReady(this V1Pod? pod) =>
        pod?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static string? Condition(this V1Pod pod, string type) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status;

    /// <summary>The pid in the agent's container id (<c>node-agent://PID</c>).</summary>
    public static int Pid(this V1ContainerStatus status) =>
        int.Parse(status.ContainerID["node-agent://".Length..], System.Globalization.CultureInfo.InvariantCulture);

    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");
}
