using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Containers;
using Serving.TestCluster.Volumes;

namespace Serving.TestCluster.Pods;

/// <summary>
/// One pod bound to the node, from first sight to deletion: an address, its volumes, the init containers in order
/// (each to completion), then all containers at once, the status written as it changes. When the pod gets a
/// deletionTimestamp its containers get SIGTERM, then SIGKILL after the grace period, and the pod is deleted with
/// grace 0, as the kubelet does.
/// </summary>
internal sealed partial class PodWorker
{
    /// <summary>The kubelet never gives a container less than this to stop (minimumGracePeriodInSeconds).</summary>
    private static readonly TimeSpan MinimumGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly PodServices _services;
    private readonly ContainerRunner[] _init;
    private readonly ContainerRunner[] _containers;
    private readonly StatusWriter _writer;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _writerStop = new();
    private readonly string _podDirectory;
    private readonly DateTime _startTime;
    private V1Pod _pod;
    private PodContext? _context;
    private IPAddress? _address;
    private IList<V1PodCondition>? _conditions;
    private TimeSpan _grace;
    private volatile bool _apiWrites = true;
    private int _terminating;

    public PodWorker(V1Pod pod, PodServices services)
    {
        _pod = pod;
        _services = services;
        Uid = pod.Metadata.Uid;
        _podDirectory = Path.Combine(services.WorkDirectory, "pods", Uid);
        _startTime = pod.Status?.StartTime ?? services.Time.GetUtcNow().UtcDateTime;
        var host = new ContainerHost(
            services.Images,
            services.Time,
            services.Logger,
            services.BackoffBase,
            services.BackoffMax,
            () => _context ?? throw new InvalidOperationException("volumes are not ready"),
            RefreshObjectsAsync,
            () => _grace,
            container => services.LogPath(pod.Metadata.NamespaceProperty, pod.Metadata.Name, Uid, container),
            () => _writer!.Signal());
        _init = [.. (pod.Spec.InitContainers ?? []).Select(c => new ContainerRunner(c, init: true, host, Restarts(pod.Status?.InitContainerStatuses, c.Name)))];
        _containers = [.. pod.Spec.Containers.Select(c => new ContainerRunner(c, init: false, host, Restarts(pod.Status?.ContainerStatuses, c.Name)))];
        _writer = new StatusWriter(services.Client, pod, Snapshot, services.Time, services.Logger);
        _grace = TimeSpan.FromSeconds(pod.Spec.TerminationGracePeriodSeconds ?? 30);
    }

    public string Uid { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Start() => Completion = RunAsync();

    /// <summary>A newer version of the pod; a deletionTimestamp starts its termination.</summary>
    public void Update(V1Pod pod)
    {
        Volatile.Write(ref _pod, pod);
        if (pod.Metadata.DeletionTimestamp is not null)
        {
            var grace = TimeSpan.FromSeconds(pod.Metadata.DeletionGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30);
            Terminate(grace, apiWrites: true);
        }
    }

    /// <summary>Stops the containers. With <paramref name="apiWrites"/> false (the pod is gone, or the agent is stopping) nothing more is written.</summary>
    public void Terminate(TimeSpan grace, bool apiWrites)
    {
        if (!apiWrites)
        {
            _apiWrites = false;
        }

        if (Interlocked.Exchange(ref _terminating, 1) == 1)
        {
            return;
        }

        _grace = grace < MinimumGrace ? MinimumGrace : grace;
        LogTerminating(_services.Logger, _pod.Metadata.NamespaceProperty, _pod.Metadata.Name, _grace.TotalSeconds);
        _stop.Cancel();
    }

    private async Task RunAsync()
    {
        var writer = _writer.RunAsync(_writerStop.Token);
        try
        {
            var ports = _pod.Spec.Containers.SelectMany(c => c.Ports ?? []).Select(p => p.ContainerPort).Distinct().ToList();
            _address = _services.Addresses.Allocate(ports);
            _writer.Signal();
            if (await PrepareAsync().ConfigureAwait(false))
            {
                LogStarting(_services.Logger, _pod.Metadata.NamespaceProperty, _pod.Metadata.Name, _address.ToString());
                bool initialized = true;
                foreach (var init in _init)
                {
                    if (!await init.RunToCompletionAsync(_stop.Token).ConfigureAwait(false))
                    {
                        initialized = false;
                        break;
                    }
                }

                if (initialized && !_stop.IsCancellationRequested)
                {
                    await Task.WhenAll(_containers.Select(c => c.RunAsync(_stop.Token))).ConfigureAwait(false);
                }
            }

            // A pod that finished (Succeeded or Failed) stays, without processes, until it is deleted.
            await Task.Delay(Timeout.InfiniteTimeSpan, _services.Time, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_apiWrites)
            {
                await FinishAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await _writerStop.CancelAsync().ConfigureAwait(false);
            await writer.ConfigureAwait(false);
            if (_address is not null)
            {
                _services.Addresses.Release(_address);
            }

            TryDelete(_podDirectory);
        }
    }

    /// <summary>Reads the objects the pod references and lays out its volumes, retrying until it works or the pod goes.</summary>
    private async Task<bool> PrepareAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await RefreshObjectsAsync(_stop.Token).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is ContainerConfigException or HttpOperationException or HttpRequestException or IOException)
            {
                LogNotReady(_services.Logger, _pod.Metadata.NamespaceProperty, _pod.Metadata.Name, e.Message);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            await Task.Delay(RetryDelay, _services.Time, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return false;
    }

    private async Task RefreshObjectsAsync(CancellationToken cancellationToken)
    {
        var pod = Volatile.Read(ref _pod);
        var objects = await ReferencedObjects.FetchAsync(_services.Client, pod, cancellationToken).ConfigureAwait(false);
        var volumes = await PodVolumes.PrepareAsync(pod, _podDirectory, _services.Claims, objects, cancellationToken).ConfigureAwait(false);
        _context = new PodContext(pod, _address!.ToString(), _services.HostIP, _podDirectory, volumes, objects, _services.ApiServer);
    }

    /// <summary>The last status (containers terminated), then the pod deleted with grace 0 (only this pod: its uid is a precondition).</summary>
    private async Task FinishAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30), _services.Time);
        var pod = Volatile.Read(ref _pod);
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                await _writer.WriteAsync(deadline.Token).ConfigureAwait(false);
                await _services.Client.CoreV1.DeleteNamespacedPodAsync(
                    pod.Metadata.Name,
                    pod.Metadata.NamespaceProperty,
                    new V1DeleteOptions { GracePeriodSeconds = 0, Preconditions = new V1Preconditions { Uid = Uid } },
                    cancellationToken: deadline.Token).ConfigureAwait(false);
                LogDeleted(_services.Logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            {
                return; // gone already, or a new pod of the same name
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
            {
                LogDeleteFailed(_services.Logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, e.Message);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await Task.Delay(RetryDelay, _services.Time, deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private V1PodStatus Snapshot()
    {
        var status = PodStatusBuilder.Build(
            Volatile.Read(ref _pod),
            [.. _init.Select(c => c.Status())],
            [.. _containers.Select(c => c.Status())],
            _address?.ToString(),
            _services.HostIP,
            _startTime,
            _conditions,
            _services.Time.GetUtcNow().UtcDateTime);
        _conditions = status.Conditions;
        return status;
    }

    private static int Restarts(IList<V1ContainerStatus>? statuses, string name) =>
        statuses?.FirstOrDefault(s => s.Name == name)?.RestartCount ?? 0;

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a process of the pod outlived its SIGKILL for a moment; the agent's folder goes at the end
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "{Namespace}/{Pod}: starting on {Address}")]
    private static partial void LogStarting(ILogger logger, string @namespace, string pod, string address);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "{Namespace}/{Pod}: terminating, grace {Seconds} s")]
    private static partial void LogTerminating(ILogger logger, string @namespace, string pod, double seconds);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "{Namespace}/{Pod}: deleted")]
    private static partial void LogDeleted(ILogger logger, string @namespace, string pod);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "{Namespace}/{Pod}: cannot set up volumes or environment yet: {Reason}")]
    private static partial void LogNotReady(ILogger logger, string @namespace, string pod, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "{Namespace}/{Pod}: delete failed, will retry: {Reason}")]
    private static partial void LogDeleteFailed(ILogger logger, string @namespace, string pod, string reason);
}
