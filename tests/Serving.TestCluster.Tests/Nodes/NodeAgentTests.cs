using System.Diagnostics;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Serving.TestCluster.Tests.Infrastructure;

namespace Serving.TestCluster.Tests.Nodes;

/// <summary>Pods scheduled by the real kube-scheduler onto the agent's node, run as local processes.</summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeAgentTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task The_node_is_registered_ready_with_a_lease()
    {
        var node = await cluster.Client.CoreV1.ReadNodeAsync("node-1");
        Assert.Equal("True", node.Status.Conditions.Single(c => c.Type == "Ready").Status);
        Assert.Contains(node.Status.Addresses, a => a.Type == "InternalIP" && a.Address == cluster.Agent.Address.ToString());
        Assert.Equal("v1.20.2", node.Status.NodeInfo.KubeletVersion);

        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("node-1", "kube-node-lease");
        Assert.Equal("node-1", lease.Spec.HolderIdentity);
        Assert.Equal(node.Metadata.Uid, lease.Metadata.OwnerReferences.Single().Uid);
        var renewed = lease.Spec.RenewTime;
        await Eventually.Until(
            () => cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("node-1", "kube-node-lease"),
            l => l.Spec.RenewTime > renewed,
            TimeSpan.FromSeconds(30),
            "lease renewal");
    }

    [Fact]
    public async Task A_deployment_runs_ready_behind_an_endpoint_slice_and_its_deleted_pod_is_replaced()
    {
        string ns = await cluster.CreateNamespaceAsync("iris");
        var client = cluster.Client;
        await client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Load<V1Deployment>("iris-deployment.yaml", ("IRIS", RepoPaths.Iris)), ns);
        await client.CoreV1.CreateNamespacedServiceAsync(Manifests.Load<V1Service>("iris-service.yaml"), ns);

        var pod = await ReadyPodAsync(ns, except: null);
        var status = pod.Status;
        Assert.Equal("Running", status.Phase);
        Assert.Equal("node-1", pod.Spec.NodeName);
        Assert.Equal(cluster.Agent.Address.ToString(), status.HostIP);
        var podIP = IPAddress.Parse(status.PodIP);
        Assert.True(IPAddress.IsLoopback(podIP) && !podIP.Equals(cluster.Agent.Address), status.PodIP);
        Assert.Equal(status.PodIP, status.PodIPs.Single().Ip);
        Assert.NotNull(status.StartTime);
        foreach (string type in (string[])["PodScheduled", "Initialized", "ContainersReady", "Ready"])
        {
            Assert.Equal("True", pod.Condition(type));
        }

        var container = status.ContainerStatuses.Single();
        Assert.True(container.Ready);
        Assert.NotNull(container.State.Running);
        Assert.Equal(0, container.RestartCount);

        // The runtime listens on the pod's own address and declared port, with the model from the mounted folder.
        using (var ready = await Http.GetAsync(new Uri($"http://{status.PodIP}:8080/v2/health/ready")))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        using (var predict = await Http.PostAsync(new Uri($"http://{status.PodIP}:8080/v1/models/iris:predict"), new StringContent("{\"instances\":[[6.8,2.8,4.8,1.4]]}")))
        {
            Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
            Assert.Contains("predictions", await predict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // The real controller-manager: an EndpointSlice (v1beta1 on 1.20) with the loopback pod IP, the Deployment available.
        await Eventually.Until(() => EndpointSliceAddressesAsync(ns, "iris"), a => a.Contains(status.PodIP), Timeout, "EndpointSlice with the pod IP");
        await Eventually.Until(() => client.AppsV1.ReadNamespacedDeploymentStatusAsync("iris", ns), d => d.Status.AvailableReplicas == 1, Timeout, "available replicas");

        // Deleting the pod stops its process; the ReplicaSet's replacement runs and becomes ready.
        int pid = container.Pid();
        Assert.True(PodChecks.ProcessExists(pid));
        await client.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ns);
        await Eventually.Until(() => cluster.ReadPodAsync(ns, pod.Metadata.Name), p => p is null, Timeout, "deleted pod gone");
        Assert.False(PodChecks.ProcessExists(pid), $"process {pid} of the deleted pod still runs");
        var replacement = await ReadyPodAsync(ns, except: pod.Metadata.Uid);
        Assert.NotEqual(pod.Metadata.Name, replacement.Metadata.Name);
        await Eventually.Until(() => EndpointSliceAddressesAsync(ns, "iris"), a => a.SequenceEqual([replacement.Status.PodIP]), Timeout, "EndpointSlice with the replacement's IP only");
    }

    [Fact]
    public async Task A_crashing_container_is_restarted_with_back_off()
    {
        string ns = await cluster.CreateNamespaceAsync("crash");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("crashloop-pod.yaml"), ns);

        var pod = await Eventually.Until(
            () => cluster.ReadPodAsync(ns, "crasher"),
            p => p?.Status?.ContainerStatuses?.SingleOrDefault() is { State.Waiting.Reason: "CrashLoopBackOff", RestartCount: >= 1 },
            Timeout,
            "CrashLoopBackOff");
        var container = pod!.Status.ContainerStatuses.Single();
        Assert.Contains("back-off", container.State.Waiting.Message, StringComparison.Ordinal);
        Assert.Equal(3, container.LastState.Terminated.ExitCode);
        Assert.Equal("Error", container.LastState.Terminated.Reason);
        Assert.Contains("boom from crasher", container.LastState.Terminated.Message, StringComparison.Ordinal);
        Assert.False(container.Ready);
        Assert.Equal("Running", pod.Status.Phase);
        Assert.Equal("False", pod.Condition("Ready"));

        await Eventually.Until(() => cluster.ReadPodAsync(ns, "crasher"), p => p!.Status.ContainerStatuses.Single().RestartCount >= 3, Timeout, "restartCount 3");
    }

    [Fact]
    public async Task A_failing_liveness_probe_kills_and_restarts_the_container()
    {
        string ns = await cluster.CreateNamespaceAsync("liveness");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("unhealthy-pod.yaml"), ns);

        var pod = (await Eventually.Until(
            () => cluster.ReadPodAsync(ns, "unhealthy"),
            p => p?.Status?.ContainerStatuses?.SingleOrDefault() is { RestartCount: >= 1, LastState.Terminated: not null },
            Timeout,
            "a restart after the liveness probe failed"))!;
        var terminated = pod.Status.ContainerStatuses.Single().LastState.Terminated;
        Assert.Equal(143, terminated.ExitCode); // SIGTERM
        Assert.Equal(15, terminated.Signal);
    }

    [Fact]
    public async Task An_init_container_writes_into_an_empty_dir_that_the_main_container_reads()
    {
        string ns = await cluster.CreateNamespaceAsync("init");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("init-emptydir-pod.yaml"), ns);

        var pod = (await Eventually.Until(() => cluster.ReadPodAsync(ns, "greeter"), p => p?.Status?.Phase is "Succeeded" or "Failed", Timeout, "pod finished"))!;
        Assert.Equal("Succeeded", pod.Status.Phase);
        var init = pod.Status.InitContainerStatuses.Single();
        Assert.Equal(0, init.State.Terminated.ExitCode);
        Assert.Equal("Completed", init.State.Terminated.Reason);
        var main = pod.Status.ContainerStatuses.Single();
        Assert.Equal(0, main.State.Terminated.ExitCode);
        Assert.Equal("hello-from-init", main.State.Terminated.Message);
        Assert.Equal("True", pod.Condition("Initialized"));
        Assert.Equal("PodCompleted", pod.Status.Conditions.Single(c => c.Type == "Ready").Reason);
        string log = cluster.Agent.LogPath(ns, "greeter", pod.Metadata.Uid, "read");
        Assert.Equal("hello-from-init\n", await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task A_claim_bound_to_a_host_path_volume_is_that_folder()
    {
        string ns = await cluster.CreateNamespaceAsync("claim");
        string folder = Directory.CreateTempSubdirectory("claim-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "hello.txt"), "from-the-volume");
        string volume = "pv-" + ns;
        await cluster.Client.CoreV1.CreatePersistentVolumeAsync(Manifests.Load<V1PersistentVolume>("claim-volume.yaml", ("NAME", volume), ("PATH", folder)));
        await cluster.Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(Manifests.Load<V1PersistentVolumeClaim>("claim.yaml", ("VOLUME", volume)), ns);
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("claim-reader-pod.yaml"), ns);

        var pod = (await Eventually.Until(() => cluster.ReadPodAsync(ns, "reader"), p => p?.Status?.Phase is "Succeeded" or "Failed", Timeout, "pod finished"))!;
        Assert.Equal("from-the-volume", pod.Status.ContainerStatuses.Single().State.Terminated.Message);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task An_unknown_image_waits_with_a_pull_error_naming_it()
    {
        string ns = await cluster.CreateNamespaceAsync("image");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("missing-image-pod.yaml"), ns);

        var pod = (await Eventually.Until(
            () => cluster.ReadPodAsync(ns, "missing"),
            p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason is "ErrImagePull" or "ImagePullBackOff",
            Timeout,
            "image pull error"))!;
        Assert.Contains("registry.example/nosuch:1.2", pod.Status.ContainerStatuses.Single().State.Waiting.Message, StringComparison.Ordinal);
        Assert.Equal("Pending", pod.Status.Phase);
    }

    [Fact]
    public async Task A_container_that_ignores_SIGTERM_is_killed_after_the_grace_period()
    {
        string ns = await cluster.CreateNamespaceAsync("grace");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Manifests.Load<V1Pod>("stubborn-pod.yaml"), ns);
        var pod = (await Eventually.Until(() => cluster.ReadPodAsync(ns, "stubborn"), p => p.IsReady(), Timeout, "stubborn pod ready"))!;
        int pid = pod.Status.ContainerStatuses.Single().Pid();

        var clock = Stopwatch.StartNew();
        await cluster.Client.CoreV1.DeleteNamespacedPodAsync("stubborn", ns);
        await Eventually.Until(() => cluster.ReadPodAsync(ns, "stubborn"), p => p is null, Timeout, "pod deleted");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(30));
        Assert.False(PodChecks.ProcessExists(pid), $"process {pid} survived its SIGKILL");
    }

    private Task<V1Pod> ReadyPodAsync(string ns, string? except) => Eventually.Until(
        async () => (await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=iris")).Items
            .FirstOrDefault(p => p.Metadata.Uid != except && p.Metadata.DeletionTimestamp is null && p.IsReady())!,
        p => p is not null,
        Timeout,
        "a ready iris pod");

    /// <summary>Ready endpoint addresses of the service's discovery.k8s.io/v1beta1 EndpointSlices (what 1.20 serves).</summary>
    private async Task<List<string>> EndpointSliceAddressesAsync(string ns, string service)
    {
        var list = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(
            "discovery.k8s.io", "v1beta1", ns, "endpointslices", labelSelector: "kubernetes.io/service-name=" + service);
        var addresses = new List<string>();
        foreach (var slice in list.GetProperty("items").EnumerateArray())
        {
            if (!slice.TryGetProperty("endpoints", out var endpoints) || endpoints.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var endpoint in endpoints.EnumerateArray())
            {
                bool ready = !endpoint.TryGetProperty("conditions", out var conditions) || !conditions.TryGetProperty("ready", out var r) || r.GetBoolean();
                if (ready)
                {
                    addresses.AddRange(endpoint.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!));
                }
            }
        }

        return addresses;
    }
}
