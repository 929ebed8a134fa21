using System.Text.Json.Nodes;
using Serving.TestCluster.Control;
using Serving.TestCluster.Processes;

namespace Serving.Charts.Tests.Infrastructure;

/// <summary>A real API server (RBAC on) for installing the chart with real helm and kubectl.</summary>
public class ChartCluster : ControlPlaneFixture
{
    public async Task<CommandResult> HelmAsync(params string[] arguments) => await ControlPlane.HelmAsync(arguments);

    /// <summary><c>helm install</c> (or <c>upgrade</c>) of the repository's chart; fails the test with helm's output when helm does.</summary>
    public async Task<string> HelmChartAsync(string verb, string release, string @namespace, params string[] arguments) =>
        (await ControlPlane.HelmAsync([verb, release, Chart.Path, "--namespace", @namespace, .. arguments]))
            .EnsureSuccess($"helm {verb} {release} {string.Join(' ', arguments)}").StandardOutput;

    public async Task<string> KubectlAsync(params string[] arguments) =>
        (await ControlPlane.KubectlAsync(arguments)).EnsureSuccess("kubectl " + string.Join(' ', arguments)).StandardOutput;

    public async Task<JsonObject> GetAsync(params string[] arguments) => JsonNode.Parse(await KubectlAsync(["get", .. arguments, "-o", "json"]))!.AsObject();

    /// <summary>
    /// The names (<c>kind/name</c>) of what exists of <paramref name="kinds"/> (comma-separated) with
    /// <paramref name="selector"/>, in every namespace; a custom kind (<c>plural.group</c>) whose CRD is gone has none.
    /// </summary>
    public async Task<IReadOnlyList<string>> NamesAsync(string kinds, string selector)
    {
        var names = new List<string>();
        foreach (string kind in kinds.Split(','))
        {
            // A custom kind (plural.group) is asked for only while its CRD exists: kubectl's cached discovery would
            // still name a CRD just deleted, and the server answer NotFound.
            if (kind.Contains('.', StringComparison.Ordinal) && (await KubectlAsync("get", "crd", kind, "--ignore-not-found", "-o", "name")).Length == 0)
            {
                continue;
            }

            names.AddRange((await KubectlAsync("get", kind, "-A", "-l", selector, "-o", "name")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        return names;
    }

    /// <summary>Polls until <paramref name="done"/> holds (garbage collection and token cleanup run in the background).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within the time allowed");
            await Task.Delay(200);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ChartClusterCollection : ICollectionFixture<ChartCluster>
{
    public const string Name = "chart-cluster";
}

/// <summary>
/// A control plane with KEDA's ScaledObject CRD and the chart installed once (release <c>rbac</c> in <c>rbac-system</c>,
/// with its CRDs, so kubectl knows every kind asked about), and a kubeconfig with each of the chart's ServiceAccounts' tokens.
/// </summary>
public sealed class InstalledChartCluster : ChartCluster
{
    public const string Release = "rbac";
    public const string Namespace = "rbac-system";
    private readonly Dictionary<string, string> _kubeconfigs = [];

    /// <summary>A kubeconfig that authenticates as the chart's ServiceAccount of <paramref name="component"/>.</summary>
    public string Kubeconfig(string component) => _kubeconfigs[component];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await KubectlAsync("apply", "--validate=false", "-f", Path.Combine(Chart.Repository, "..", "shared", "k8s", "keda.sh_scaledobjects.yaml"));
        await HelmChartAsync("install", Release, Namespace, "--create-namespace");
        await KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all");
        foreach (string component in new[] { "controller", "gateway", "scaler", "redis" })
        {
            _kubeconfigs[component] = await ControlPlane.ServiceAccountKubeconfigAsync(Namespace, $"{Release}-serving-platform-{component}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class InstalledChartCollection : ICollectionFixture<InstalledChartCluster>
{
    public const string Name = "installed-chart";
}
