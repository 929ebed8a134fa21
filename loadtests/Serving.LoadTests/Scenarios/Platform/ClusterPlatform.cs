using System.Globalization;
using Serving.Kubernetes.Client;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Server;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>
/// The platform on Kubernetes as a user runs it (<c>./run.sh --kubernetes</c> is <c>scripts/run-kubernetes.sh</c>): a
/// kube-apiserver, the node agent (pods as local processes), the KEDA stand-in, Redis, serving-controller, serving-scaler
/// and serving-gateway, on loopback ports of its own, applying the scenario's manifest folder and keeping its state under
/// the scenario's folder. Statuses are read from the API server (one GET, not a kubectl process: scenarios poll them every
/// 100 ms under load, and a process per poll took CPU from the platform it measures), a changed manifest goes in with
/// <c>kubectl apply</c>; disposing sends SIGTERM, on which the script stops everything it started.
/// </summary>
internal sealed class ClusterPlatform : IServingPlatform
{
    /// <summary>What the script prints once the lab is up and the manifests are applied (and Ready, or 3 minutes passed).</summary>
    public const string UpLine = "A Kubernetes API server runs the lab";

    /// <summary>Where the script applies the manifests (its kubeconfig names no namespace).</summary>
    private const string Namespace = "default";

    private readonly ServerProcess _process;
    private readonly PlatformFolders _folders;
    private readonly string _kubectl;
    private readonly k8s.Kubernetes _client;
    private readonly KubeApi _api;

    private ClusterPlatform(
        ServerProcess process, PlatformFolders folders, int port, int adminPort, string kubectl, k8s.Kubernetes client, int gatewayProcessId)
    {
        _process = process;
        _folders = folders;
        _kubectl = kubectl;
        _client = client;
        _api = new KubeApi(client);
        GatewayProcessId = gatewayProcessId;
        Gateway = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
        Admin = new AdminClient(new Uri($"http://127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>The script's CLUSTER_DIR: kubeconfig, logs, the control plane's and the node's state (pods' folders).</summary>
    public string ClusterDir => DirOf(_folders);

    public string Kubeconfig => KubeconfigOf(_folders);

    public Uri Gateway { get; }

    public AdminClient Admin { get; }

    public int ProcessId => _process.ProcessId;

    /// <summary>serving-gateway's, as the script wrote it in <c>gateway.pid</c>.</summary>
    public int GatewayProcessId { get; }

    public bool HasExited => _process.HasExited;

    public string CommandLine => _process.Spec.CommandLine;

    /// <summary>
    /// Starts the script on <paramref name="folders"/> (MANIFESTS its manifest folder, CLUSTER_DIR its <c>cluster</c>
    /// folder) and returns once it says the lab is up. The script builds what it runs, so the first start takes minutes.
    /// </summary>
    public static async Task<ClusterPlatform> StartAsync(PlatformBuild build, PlatformFolders folders, CancellationToken cancellationToken)
    {
        string script = Path.Combine(build.Root, "scripts/run-kubernetes.sh");
        int port = FreePort.Next(), adminPort = FreePort.Next();
        var spec = new ProcessSpec("run-kubernetes", script, [], new Dictionary<string, string?>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["ADMIN_PORT"] = adminPort.ToString(CultureInfo.InvariantCulture),
            ["SCALER_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["MANIFESTS"] = folders.Manifests,
            ["CLUSTER_DIR"] = DirOf(folders),
        })
        {
            StopGrace = TimeSpan.FromSeconds(60),
        };
        var process = await ServerProcess.StartAsync(
            spec, new ReadyProbe(new Uri($"http://127.0.0.1:{adminPort.ToString(CultureInfo.InvariantCulture)}/readyz")),
            folders.NextLog("run-kubernetes"), TimeSpan.FromMinutes(10), cancellationToken);
        try
        {
            await WaitForUpAsync(process, TimeSpan.FromMinutes(4), cancellationToken);
            string kubectl = await KubectlPathAsync(build, cancellationToken); // the script has installed it by now
            int gateway = int.Parse(await File.ReadAllTextAsync(Path.Combine(DirOf(folders), "gateway.pid"), cancellationToken), CultureInfo.InvariantCulture);
            return new ClusterPlatform(process, folders, port, adminPort, kubectl, new k8s.Kubernetes(KubeConfig.Load(KubeconfigOf(folders))), gateway);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>A manifest for pods: the scenario's model paths are relative to its folder, pods resolve relative paths against the repository, so they become absolute.</summary>
    public static Manifest ForPods(Manifest manifest, PlatformFolders folders) =>
        Path.IsPathRooted(manifest.StorageUri) ? manifest : manifest with { StorageUri = Path.Combine(folders.Root, manifest.StorageUri) };

    /// <summary>The InferenceService in the kubeconfig's namespace (the script's: <c>default</c>); null when it is not there or the server did not answer.</summary>
    public async Task<ServiceStatus?> StatusAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.GetAsync(Resources.InferenceServices.ObjectPath(Namespace, name), cancellationToken) is { } json ? new ServiceStatus(json) : null;
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or System.Text.Json.JsonException
                                  || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    public async Task ApplyAsync(Manifest manifest, CancellationToken cancellationToken)
    {
        ForPods(manifest, _folders).WriteTo(_folders.Manifests);
        var (code, output) = await KubectlAsync(["apply", "-f", Path.Combine(_folders.Manifests, manifest.Name + ".yaml")], cancellationToken);
        if (code != 0)
        {
            throw new BenchmarkException($"kubectl apply of {manifest.Name} failed: {output.Trim()}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return _process.DisposeAsync();
    }

    private static string DirOf(PlatformFolders folders) => Path.Combine(folders.Root, "cluster");

    private static string KubeconfigOf(PlatformFolders folders) => Path.Combine(DirOf(folders), "kubeconfig");

    private static async Task<string> KubectlPathAsync(PlatformBuild build, CancellationToken cancellationToken)
    {
        var (code, output) = await ShortCommand.RunAsync(
            new ProcessSpec("kube.sh", Path.Combine(build.Root, "scripts/kube.sh"), ["paths"]), TimeSpan.FromMinutes(5), cancellationToken);
        string? kubectl = output.Split('\n').FirstOrDefault(l => l.StartsWith("kubectl=", StringComparison.Ordinal))?["kubectl=".Length..].Trim();
        return code == 0 && kubectl is { Length: > 0 }
            ? kubectl
            : throw new BenchmarkException($"scripts/kube.sh paths did not name kubectl (install it with scripts/kube.sh install): {output.Trim()}");
    }

    private static async Task WaitForUpAsync(ServerProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.ReadLines(process.LogPath).Any(l => l.Contains(UpLine, StringComparison.Ordinal)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new BenchmarkException($"run-kubernetes.sh did not say '{UpLine}' within {timeout.TotalMinutes:0} min of its gateway being ready; see {process.LogPath}");
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    private Task<(int ExitCode, string Output)> KubectlAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        ShortCommand.RunAsync(
            new ProcessSpec("kubectl", _kubectl, args, new Dictionary<string, string?> { ["KUBECONFIG"] = Kubeconfig }), TimeSpan.FromSeconds(30), cancellationToken);
}
