using System.Text.Json;
using k8s;
using k8s.Models;
using Serving.TestCluster.Tests.Infrastructure;

namespace Serving.TestCluster.Tests.Control;

[Collection(ClusterCollection.Name)]
public sealed class ControlPlaneTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Kubectl_talks_to_the_v1_20_server()
    {
        var version = (await cluster.ControlPlane.KubectlAsync(["version", "-o", "json"])).EnsureSuccess("kubectl version");
        using var json = JsonDocument.Parse(version.StandardOutput);
        Assert.Equal("v1.20.2", json.RootElement.GetProperty("serverVersion").GetProperty("gitVersion").GetString());

        var namespaces = (await cluster.ControlPlane.KubectlAsync(["get", "ns", "-o", "name"])).EnsureSuccess("kubectl get ns");
        Assert.Contains("namespace/default", namespaces.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("namespace/kube-system", namespaces.StandardOutput, StringComparison.Ordinal);
        Assert.True(cluster.ControlPlane.ApiServerUrl.IsLoopback);
    }

    [Fact]
    public async Task Helm_runs_against_the_cluster()
    {
        var helm = (await cluster.ControlPlane.HelmAsync(["list", "--all-namespaces", "-o", "json"])).EnsureSuccess("helm list");
        Assert.Equal("[]", helm.StandardOutput.Trim());
    }

    [Fact]
    public async Task A_custom_resource_is_created_and_watched_with_the_client()
    {
        (await cluster.ControlPlane.KubectlAsync(["apply", "-f", RepoPaths.Resource("widgets-crd.yaml")])).EnsureSuccess("kubectl apply crd");
        (await cluster.ControlPlane.KubectlAsync(["wait", "--for=condition=Established", "--timeout=30s", "crd/widgets.test.serving.dev"])).EnsureSuccess("kubectl wait crd");
        string ns = await cluster.CreateNamespaceAsync("widgets");
        var client = cluster.Client;

        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<(WatchEventType Type, string Name, long Size)>();
        var sawModified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watchStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Task.Run(async () =>
        {
            var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<WidgetList>("test.serving.dev", "v1", ns, "widgets", cancellationToken: watching.Token);
            watchStarted.SetResult();
            var stream = client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                "test.serving.dev", "v1", ns, "widgets", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: watching.Token);
            await foreach (var (type, item) in stream)
            {
                var widget = KubernetesJson.Deserialize<Widget>(((JsonElement)item).GetRawText());
                events.Add((type, widget.Metadata.Name, widget.Spec.Size));
                if (type == WatchEventType.Modified)
                {
                    sawModified.TrySetResult();
                    return;
                }
            }
        });
        await watchStarted.Task.WaitAsync(watching.Token);

        var widget = new Widget { ApiVersion = "test.serving.dev/v1", Kind = "Widget", Metadata = new V1ObjectMeta { Name = "w1" }, Spec = new WidgetSpec { Size = 2 } };
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(widget, "test.serving.dev", "v1", ns, "widgets");
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"size\":3}}", V1Patch.PatchType.MergePatch), "test.serving.dev", "v1", ns, "widgets", "w1");
        await sawModified.Task.WaitAsync(watching.Token);
        await watch;

        Assert.Equal([(WatchEventType.Added, "w1", 2L), (WatchEventType.Modified, "w1", 3L)], events);

        // The schema is enforced by the server: size must be at least 1.
        var invalid = await ApplyAsync(cluster, ns, "apiVersion: test.serving.dev/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {size: 0}\n");
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("spec.size", invalid.StandardError, StringComparison.Ordinal);
    }

    private static Task<Processes.CommandResult> ApplyAsync(ClusterFixture cluster, string ns, string yaml) =>
        cluster.ControlPlane.KubectlAsync(["apply", "-n", ns, "-f", "-"], yaml);

    public sealed class Widget : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = "";

        public string Kind { get; set; } = "";

        public V1ObjectMeta Metadata { get; set; } = new();

        public WidgetSpec Spec { get; set; } = new();
    }

    public sealed class WidgetSpec
    {
        public long Size { get; set; }
    }

    public sealed class WidgetList : IKubernetesObject<V1ListMeta>
    {
        public string ApiVersion { get; set; } = "";

        public string Kind { get; set; } = "";

        public V1ListMeta Metadata { get; set; } = new();

        public IList<Widget> Items { get; set; } = [];
    }
}
