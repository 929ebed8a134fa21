using System.Net;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serving.TestCluster.Pods;
using Serving.TestCluster.Volumes;

namespace Serving.TestCluster.Nodes;

/// <summary>
/// A kubelet stand-in for tests: registers a Node and keeps its Lease, and runs the pods bound to it as local processes
/// (images mapped to programs by <see cref="NodeAgentOptions.Images"/>), each pod on a loopback address of its own,
/// writing pod status as the kubelet does. See the project's README for what it follows and what it leaves out.
/// </summary>
public sealed partial class NodeAgent : IAsyncDisposable
{
    private readonly NodeAgentOptions _options;
    private readonly NodeHeartbeat _heartbeat;
    private readonly PodSync _pods;
    private readonly PodServices _services;
    private readonly bool _ownsWorkDirectory;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private Task _loops = Task.CompletedTask;
    private int _disposed;

    private NodeAgent(IKubernetes client, NodeAgentOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options;
        _logger = loggers.CreateLogger("Serving.TestCluster.NodeAgent");
        Address = options.Address ?? PodAddressPool.RandomNodeAddress();
        _ownsWorkDirectory = options.WorkDirectory is null;
        WorkDirectory = Directory.CreateDirectory(options.WorkDirectory
            ?? Path.Combine(Path.GetTempPath(), "serving-node-agent", options.NodeName + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var apiServer = client is Kubernetes concrete ? concrete.BaseUri : new Uri("https://127.0.0.1:443");
        _services = new PodServices(
            client,
            options.Images,
            new PodAddressPool(Address),
            new ClaimFolders(client, options.PersistentVolumes, options.PersistentVolumeRoot ?? Path.Combine(WorkDirectory, "volumes")),
            Address.ToString(),
            apiServer,
            WorkDirectory,
            options.RestartBackoffBase,
            options.RestartBackoffMax,
            time,
            _logger);
        _heartbeat = new NodeHeartbeat(client, options, Address.ToString(), time, _logger);
        _pods = new PodSync(_services, options.NodeName, time, _logger);
    }

    public string NodeName => _options.NodeName;

    /// <summary>The node's InternalIP and every pod's hostIP; pods get the next addresses of its /24.</summary>
    public IPAddress Address { get; }

    /// <summary>Pods' folders (<c>pods/{uid}</c>) and container logs (<c>logs/{namespace}_{pod}_{uid}/{container}.log</c>).</summary>
    public string WorkDirectory { get; }

    /// <summary>Faults if the agent's loops stop for anything but disposal.</summary>
    public Task Completion => _loops;

    /// <summary>Registers the Node (it exists and is Ready when this returns) and starts running the pods bound to it.</summary>
    public static async Task<NodeAgent> StartAsync(
        IKubernetes client,
        NodeAgentOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        var agent = new NodeAgent(client, options, loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System);
        await agent._heartbeat.RegisterAsync(cancellationToken).ConfigureAwait(false);
        agent._loops = Task.WhenAll(
            Task.Run(() => agent._heartbeat.RunAsync(agent._stop.Token), CancellationToken.None),
            Task.Run(() => agent._pods.RunAsync(agent._stop.Token), CancellationToken.None));
        return agent;
    }

    /// <summary>Where a container's output goes (the file the kubelet would serve to <c>kubectl logs</c>).</summary>
    public string LogPath(string ns, string pod, string uid, string container) => _services.LogPath(ns, pod, uid, container);

    /// <summary>
    /// Stops the loops and every pod's processes (SIGTERM, SIGKILL after 5 s) without touching the pods in the API, like
    /// a kubelet going away; deletes the Node unless <see cref="NodeAgentOptions.DeleteNodeOnStop"/> is false.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loops.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        await _pods.StopAllAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (_options.DeleteNodeOnStop)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _heartbeat.DeleteAsync(deadline.Token).ConfigureAwait(false);
        }

        if (_ownsWorkDirectory)
        {
            try
            {
                Directory.Delete(WorkDirectory, recursive: true);
            }
            catch (IOException)
            {
                // a file still open by a process that is going away; the folder is in /tmp
            }
        }

        _stop.Dispose();
        LogStopped(_logger, NodeName);
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "Node agent {Node} stopped")]
    private static partial void LogStopped(ILogger logger, string node);
}
