using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Containers;
using Serving.TestCluster.Control;
using Serving.TestCluster.Nodes;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// A real API server with this platform's CRDs and KEDA's, the chart's RBAC (release <see cref="ChartRelease"/> in
/// <see cref="ChartNamespace"/>, nothing of it running), a node agent that runs the runtime image as local processes,
/// and (unless a test collection manages its own) one <c>serving-controller</c> process watching every namespace, with
/// the token of the chart's controller ServiceAccount: every test here also proves the chart's RBAC is enough.
/// </summary>
public class ServingCluster : ControlPlaneFixture
{
    public const string ChartRelease = "serving";
    public const string ChartNamespace = "serving-system";

    /// <summary>The Secret in <see cref="ChartNamespace"/> whose keys the chart's gateway account may read.</summary>
    public const string ApiKeysSecret = "gateway-api-keys";

    /// <summary>The Lease the chart's controller Role lets its ServiceAccount hold.</summary>
    public const string ChartLease = "serving-serving-platform-controller";

    private ILoggerFactory? _loggers;
    private NodeAgent? _agent;
    private ControllerProcess? _controller;
    private int _controllers;

    public k8s.Kubernetes Client => ControlPlane.Client;

    /// <summary>An admin kubeconfig (for tests; kubectl uses it).</summary>
    public string Kubeconfig => ControlPlane.KubeconfigPath;

    /// <summary>A kubeconfig with the token of the chart's controller ServiceAccount: what a controller under test runs with.</summary>
    public string ControllerKubeconfig { get; private set; } = "";

    /// <summary>Where each PersistentVolumeClaim's files are: <c>{root}/{namespace}/{claim}</c>.</summary>
    public string Volumes => Path.Combine(ControlPlane.Directory, "volumes");

    internal ControllerProcess? Controller => _controller;

    /// <summary>Whether the fixture runs a controller of its own (a collection that starts and kills controllers does not).</summary>
    protected virtual bool RunController => true;

    /// <summary>
    /// Values for the chart (charts/serving-platform): its RBAC and ServiceAccounts, no CRDs (applied above from
    /// controller/crds), no runtime (the controller's built-in default serves), nothing of the platform running.
    /// </summary>
    protected virtual IEnumerable<string> ChartValues =>
    [
        "crds.install=false", "runtime.install=false", "controller.replicas=0", "gateway.replicas=0", "scaler.replicas=0",
        "redis.enabled=false", "redis.externalAddress=127.0.0.1:6379",
        "gateway.auth.apiKeysSecret=" + ApiKeysSecret, // the chart's Role for it: ApiKeysSecretTests run the gateway under it
    ];

    /// <summary>The external scaler's address the controller writes into ScaledObjects (<c>--scaler-address</c>).</summary>
    protected virtual string ScalerAddress => "127.0.0.1:9090";

    /// <summary>More options for the fixture's controller.</summary>
    protected virtual IReadOnlyList<string> ControllerArguments => [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        foreach (string crd in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "controller", "crds"), "*.yaml"))
        {
            await KubectlAsync("apply", "-f", crd);
        }

        // KEDA's own CRD, so that the ScaledObjects the controller writes meet KEDA's schema (kubectl cannot check
        // x-kubernetes-validations on its side; the server drops them on 1.20).
        await KubectlAsync("apply", "--validate=false", "-f", Path.Combine(RepoPaths.Shared, "k8s", "keda.sh_scaledobjects.yaml"));
        await KubectlAsync("apply", "--validate=false", "-f", Path.Combine(RepoPaths.Shared, "k8s", "keda.sh_triggerauthentications.yaml"));
        await KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "crd", "--all");
        await WaitForPublishedSchemaAsync();
        (await ControlPlane.HelmAsync(
            ["install", ChartRelease, Path.Combine(RepoPaths.Root, "charts", "serving-platform"), "--namespace", ChartNamespace, "--create-namespace",
             .. ChartValues.SelectMany(v => new[] { "--set", v })])).EnsureSuccess("helm install of the chart's RBAC");
        ControllerKubeconfig = await ControlPlane.ServiceAccountKubeconfigAsync(ChartNamespace, $"{ChartRelease}-serving-platform-controller");
        _loggers = LoggerFactory.Create(b => b.AddProvider(new FileLogger(Path.Combine(ControlPlane.Directory, "node-agent.log"))).SetMinimumLevel(LogLevel.Information));
        _agent = await NodeAgent.StartAsync(ControlPlane.Client, new NodeAgentOptions
        {
            NodeName = "node-1",
            Images = new ImageMap(new Dictionary<string, ImageCommand>
            {
                ["serving-runtime"] = new()
                {
                    Entrypoint = ["dotnet", Path.Combine(AppContext.BaseDirectory, "serving-runtime.dll")],
                    HostArgument = "--host",
                    PortArgument = "--http_port",
                },
            }),
            PersistentVolumeRoot = Volumes,
            RestartBackoffBase = TimeSpan.FromSeconds(1),
            LeaseRenewInterval = TimeSpan.FromSeconds(2),
        }, _loggers);
        if (RunController)
        {
            _controller = await ControllerProcess.StartAsync(ControllerKubeconfig, "controller-0", scalerAddress: ScalerAddress, extraArgs: ControllerArguments);
        }
    }

    /// <summary>
    /// Kills the fixture's controller (SIGKILL: no cleanup, as when its node dies) and starts another with the same
    /// options, as the Deployment's replacement pod would; the killed one's output goes to its own log file.
    /// </summary>
    internal async Task<ControllerProcess> ReplaceControllerAsync()
    {
        var killed = _controller ?? throw new InvalidOperationException("this fixture runs no controller of its own");
        await killed.KillAsync();
        await killed.DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(ControlPlane.Directory, $"{killed.Identity}.log"), killed.Output);
        _controller = await ControllerProcess.StartAsync(ControllerKubeconfig, $"controller-{++_controllers}", scalerAddress: ScalerAddress, extraArgs: ControllerArguments);
        return _controller;
    }

    public override async Task DisposeAsync()
    {
        if (_controller is not null)
        {
            File.WriteAllText(Path.Combine(ControlPlane.Directory, "controller.log"), _controller.Output);
            await _controller.DisposeAsync();
        }

        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }

        _loggers?.Dispose();
        await base.DisposeAsync();
    }

    public Task<string> NamespaceAsync(string prefix) => ControlPlane.CreateNamespaceAsync(prefix);

    public async Task<string> KubectlAsync(params string[] args) =>
        (await ControlPlane.KubectlAsync(args)).EnsureSuccess("kubectl " + string.Join(' ', args)).StandardOutput;

    /// <summary>kubectl's answer, success or not (for what it refuses).</summary>
    public Task<Serving.TestCluster.Processes.CommandResult> TryKubectlAsync(params string[] args) => ControlPlane.KubectlAsync(args);

    /// <summary>
    /// Waits until the API server publishes our CRDs' schemas in /openapi/v2. Established comes first; the
    /// OpenAPI aggregation follows a moment later, and until then kubectl (which validates on its side against
    /// a 1.20 server) accepts unknown fields.
    /// </summary>
    private async Task WaitForPublishedSchemaAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var openApi = await TryKubectlAsync("get", "--raw", "/openapi/v2");
            if (openApi.ExitCode == 0 && openApi.StandardOutput.Contains("io.kserve.serving.v1beta1.InferenceService", StringComparison.Ordinal)
                && openApi.StandardOutput.Contains("io.kserve.serving.v1alpha1.InferenceGraph", StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the API server did not publish the InferenceService schema in /openapi/v2 within 60 s");
            }

            await Task.Delay(250);
        }
    }

    public async Task ApplyAsync(string ns, string yaml)
    {
        string file = Path.Combine(ControlPlane.Directory, $"apply-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        await KubectlAsync("apply", "-n", ns, "-f", file);
    }

    /// <summary>A claim named <paramref name="claim"/> in <paramref name="ns"/> with the iris model in it (a PersistentVolume on the node's disk).</summary>
    public async Task ProvideIrisClaimAsync(string ns, string claim = "models")
    {
        string folder = Path.Combine(Volumes, ns, claim);
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(RepoPaths.Root, "samples", "models", "iris", "model.onnx"), Path.Combine(folder, "model.onnx"), overwrite: true);
        await ApplyAsync(ns, $$"""
            apiVersion: v1
            kind: PersistentVolume
            metadata:
              name: {{ns}}-{{claim}}
            spec:
              capacity:
                storage: 1Gi
              accessModes: [ReadOnlyMany]
              hostPath:
                path: {{folder}}
              storageClassName: manual
              claimRef:
                namespace: {{ns}}
                name: {{claim}}
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata:
              name: {{claim}}
            spec:
              accessModes: [ReadOnlyMany]
              resources:
                requests:
                  storage: 1Gi
              storageClassName: manual
              volumeName: {{ns}}-{{claim}}
            """);
    }

    /// <summary>The object as the API server has it (kubectl's JSON), or null when there is none.</summary>
    public async Task<JsonObject?> GetAsync(string ns, string resource, string name)
    {
        var result = await ControlPlane.KubectlAsync(["get", resource, name, "-n", ns, "-o", "json"]);
        return result.ExitCode == 0 ? JsonNode.Parse(result.StandardOutput)?.AsObject() : null;
    }

    public async Task<JsonArray> ListAsync(string ns, string resource, string? selector = null)
    {
        var json = await KubectlAsync(["get", resource, "-n", ns, "-o", "json", .. selector is null ? [] : new[] { "-l", selector }]);
        return JsonNode.Parse(json)!["items"]!.AsArray();
    }

    /// <summary>Polls until <paramref name="done"/> holds for the InferenceService's status; the failure shows the last status and the controller's log tail.</summary>
    /// <param name="output">The controller whose log tail a failure shows, when not the fixture's own.</param>
    internal async Task<JsonObject> WaitForServiceAsync(string ns, string name, Func<JsonObject, bool> done, string what, TimeSpan? timeout = null, ControllerProcess? output = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(ns, "inferenceservice", name);
            if (last?["status"] is JsonObject status && done(status))
            {
                return last;
            }

            await Task.Delay(250);
        }

        string log = (output ?? Controller)?.Output is { } text ? string.Join('\n', text.Split('\n').TakeLast(30)) : "";
        Assert.Fail($"{what}: not within the time allowed; last status: {last?["status"]?.ToJsonString()}\n{log}");
        return null!;
    }

    public static string? Condition(JsonObject status, string type, string field = "status") =>
        status["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?[field]?.GetValue<string>();

    public static IReadOnlyList<string> Traffic(JsonObject status) =>
    [
        .. status["components"]?["predictor"]?["traffic"]?.AsArray().Select(t => $"{t!["revisionName"]}:{t["percent"]}{(t["tag"] is { } tag ? "@" + tag : "")}") ?? [],
    ];

    /// <summary>Writes a log line by line to a file (the node agent's, kept with the control plane's logs).</summary>
    internal sealed class FileLogger(string path) : ILoggerProvider
    {
        private readonly Lock _lock = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private void Write(string line)
        {
            lock (_lock)
            {
                File.AppendAllText(path, line + "\n");
            }
        }

        private sealed class Logger(FileLogger owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServingClusterCollection : ICollectionFixture<ServingCluster>
{
    public const string Name = "serving-cluster";
}

/// <summary>A cluster without a controller of its own: the tests start, kill and restart controllers (and the API server).</summary>
public sealed class BareCluster : ServingCluster
{
    protected override bool RunController => false;
}

[CollectionDefinition(Name)]
public sealed class BareClusterCollection : ICollectionFixture<BareCluster>
{
    public const string Name = "bare-cluster";
}

/// <summary>A cluster whose chart release also installs the chart's ClusterServingRuntime; the test runs its own controller.</summary>
public sealed class ChartRuntimeCluster : ServingCluster
{
    protected override bool RunController => false;

    protected override IEnumerable<string> ChartValues => base.ChartValues.Where(v => !v.StartsWith("runtime.", StringComparison.Ordinal)).Append("runtime.install=true");
}

[CollectionDefinition(Name)]
public sealed class ChartRuntimeClusterCollection : ICollectionFixture<ChartRuntimeCluster>
{
    public const string Name = "chart-runtime-cluster";
}
