using k8s;
using k8s.Models;
using Serving.TestCluster.Tests.Infrastructure;

namespace Serving.TestCluster.Tests.Nodes;

/// <summary>The API server restarts under a running node agent: its watch reconnects and it keeps working.</summary>
[Collection(RestartCollection.Name)]
public sealed class ApiServerRestartTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_agent_keeps_running_pods_across_an_api_server_restart()
    {
        string ns = await cluster.CreateNamespaceAsync("restart");
        var client = cluster.Client;
        await client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("sleeper-pod.yaml", ("NAME", "before")), ns);
        var before = (await Eventually.Until(() => cluster.ReadPodAsync(ns, "before"), p => p.IsReady(), Timeout, "pod before the restart ready"))!;
        Assert.True(before.Status.ContainerStatuses.Single().Started);

        await cluster.ControlPlane.RestartApiServerAsync();
        var restartedAt = DateTime.UtcNow;

        // A pod created after the restart runs: the agent's watch came back.
        await client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("sleeper-pod.yaml", ("NAME", "after")), ns);
        await Eventually.Until(() => cluster.ReadPodAsync(ns, "after"), p => p.IsReady(), Timeout, "pod after the restart ready");

        // The pod from before still runs, and its deletion is still carried out.
        int pid = before.Status.ContainerStatuses.Single().Pid();
        Assert.True(PodChecks.ProcessExists(pid));
        await client.CoreV1.DeleteNamespacedPodAsync("before", ns);
        await Eventually.Until(() => cluster.ReadPodAsync(ns, "before"), p => p is null, Timeout, "pod from before deleted");
        Assert.False(PodChecks.ProcessExists(pid));

        // The lease is renewed against the new server, and the node stays Ready.
        await Eventually.Until(
            () => client.CoordinationV1.ReadNamespacedLeaseAsync("node-1", "kube-node-lease"),
            l => l.Spec.RenewTime > restartedAt,
            TimeSpan.FromSeconds(30),
            "lease renewed after the restart");
        var node = await client.CoreV1.ReadNodeAsync("node-1");
        Assert.Equal("True", node.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.False(cluster.Agent.Completion.IsCompleted);
    }
}
