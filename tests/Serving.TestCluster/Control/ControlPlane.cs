using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Serving.TestCluster.Processes;

namespace Serving.TestCluster.Control;

/// <summary>
/// A real Kubernetes v1.20.2 control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) on loopback,
/// started by <c>scripts/kube.sh</c> in a temporary folder. The processes stop on <see cref="DisposeAsync"/>, and also
/// when this process dies without disposing (kube.sh watches this process's pid). There is no kubelet: pods run only
/// where a <see cref="Nodes.NodeAgent"/> is.
/// </summary>
public sealed class ControlPlane : IAsyncDisposable
{
    private readonly KubeScript _script;
    private readonly KubeBinaries _binaries;
    private readonly bool _keepDirectory;
    private readonly SemaphoreSlim _restart = new(1, 1);
    private int _disposed;

    private ControlPlane(KubeScript script, KubeBinaries binaries, string directory, bool keepDirectory, TimeSpan startTime)
    {
        _script = script;
        _binaries = binaries;
        Directory = directory;
        _keepDirectory = keepDirectory;
        StartTime = startTime;
        Configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);
        Client = new Kubernetes(Configuration);
    }

    /// <summary>The folder with the certificates, etcd's data and each component's log (<c>kube-apiserver.log</c>, ...).</summary>
    public string Directory { get; }

    /// <summary>An admin kubeconfig (a token in group system:masters) for this control plane.</summary>
    public string KubeconfigPath => Path.Combine(Directory, "kubeconfig");

    /// <summary><c>https://127.0.0.1:PORT</c>; the port stays the same across <see cref="RestartApiServerAsync"/>.</summary>
    public Uri ApiServerUrl => new(Configuration.Host);

    public KubernetesClientConfiguration Configuration { get; }

    /// <summary>A client with admin rights. Code under test should get its own from <see cref="CreateClient"/>.</summary>
    public Kubernetes Client { get; }

    /// <summary>How long the start took (etcd up to the default ServiceAccount existing).</summary>
    public TimeSpan StartTime { get; }

    public static async Task<ControlPlane> StartAsync(ControlPlaneOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ControlPlaneOptions();
        var script = KubeScript.Find();
        var binaries = await script.PathsAsync(cancellationToken).ConfigureAwait(false);
        string directory = Path.Combine(Path.GetTempPath(), "serving-kube", Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var started = Stopwatch.StartNew();
        var result = await script.RunAsync(
            ["start", directory, "--authorization-mode", options.AuthorizationMode, "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            options.StartTimeout,
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kube.sh start failed ({result.ExitCode}); logs are in {directory}:\n{result.StandardError}".TrimEnd());
        }

        bool keep = options.KeepDirectory || Environment.GetEnvironmentVariable("SERVING_KEEP_KUBE_DIR") is { Length: > 0 };
        return new ControlPlane(script, binaries, directory, keep, started.Elapsed);
    }

    /// <summary>A new admin client of its own (its own connections), e.g. for a controller under test.</summary>
    public Kubernetes CreateClient() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath));

    /// <summary>
    /// Stops kube-apiserver and starts it again on the same port over the same etcd (the other components keep
    /// running), and returns once it answers /readyz. Watches through it break and must reconnect.
    /// </summary>
    public async Task RestartApiServerAsync(CancellationToken cancellationToken = default)
    {
        await _restart.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await _script.RunAsync(["restart-apiserver", Directory], TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            result.EnsureSuccess("kube.sh restart-apiserver");
        }
        finally
        {
            _restart.Release();
        }
    }

    /// <summary>
    /// A namespace named <c>{prefix}-{random}</c>, returned once its default ServiceAccount and that account's token exist:
    /// on 1.20 a pod cannot be created before the controller-manager has made both.
    /// </summary>
    public async Task<string> CreateNamespaceAsync(string prefix, CancellationToken cancellationToken = default)
    {
        string name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                var account = await Client.CoreV1.ReadNamespacedServiceAccountAsync("default", name, cancellationToken: deadline.Token).ConfigureAwait(false);
                if (account.Secrets is { Count: > 0 })
                {
                    return name;
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // not made yet
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"namespace {name}: no default ServiceAccount with a token after 60 s; see {Directory}/kube-controller-manager.log");
            }
        }
    }

    /// <summary>
    /// A kubeconfig (written into <see cref="Directory"/>) that authenticates as ServiceAccount
    /// <paramref name="namespace"/>/<paramref name="name"/> with the token the 1.20 token controller put in the account's
    /// Secret, waited for: code run with it has exactly the rights RBAC gives that account.
    /// </summary>
    public async Task<string> ServiceAccountKubeconfigAsync(string @namespace, string name, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        string? token = null;
        while (token is null)
        {
            try
            {
                var account = await Client.CoreV1.ReadNamespacedServiceAccountAsync(name, @namespace, cancellationToken: deadline.Token).ConfigureAwait(false);
                foreach (var reference in account.Secrets ?? [])
                {
                    var secret = await Client.CoreV1.ReadNamespacedSecretAsync(reference.Name, @namespace, cancellationToken: deadline.Token).ConfigureAwait(false);
                    if (secret.Type == "kubernetes.io/service-account-token" && secret.Data?.TryGetValue("token", out byte[]? bytes) == true)
                    {
                        token = System.Text.Encoding.UTF8.GetString(bytes);
                    }
                }

                if (token is null)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"ServiceAccount {@namespace}/{name}: no token Secret after 60 s; see {Directory}/kube-controller-manager.log");
            }
        }

        string path = Path.Combine(Directory, $"{@namespace}.{name}.kubeconfig");
        await File.WriteAllTextAsync(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: test
              cluster:
                server: {Configuration.Host}
                certificate-authority: {Path.Combine(Directory, "ca.crt")}
            users:
            - name: {@namespace}.{name}
              user:
                token: {token}
            contexts:
            - name: test
              context:
                cluster: test
                user: {@namespace}.{name}
                namespace: {@namespace}
            current-context: test

            """, cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>Runs kubectl (v1.35) against this control plane.</summary>
    public Task<CommandResult> KubectlAsync(IEnumerable<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default) =>
        ToolAsync(_binaries.Kubectl, arguments, standardInput, cancellationToken);

    /// <summary>Runs helm (v4) against this control plane, with its config and cache inside <see cref="Directory"/>.</summary>
    public Task<CommandResult> HelmAsync(IEnumerable<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default) =>
        ToolAsync(_binaries.Helm, arguments, standardInput, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Client.Dispose();
        await _script.RunAsync(["stop", Directory], TimeSpan.FromMinutes(1), CancellationToken.None).ConfigureAwait(false);
        if (!_keepDirectory)
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // a process that outlived stop still writing its log; the folder is in /tmp
            }
        }

        _restart.Dispose();
    }

    private Task<CommandResult> ToolAsync(string tool, IEnumerable<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        return CommandRunner.RunAsync(tool, arguments, KubeTools.Environment(Directory, KubeconfigPath), standardInput, TimeSpan.FromMinutes(2), cancellationToken);
    }
}
