using System.Globalization;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Probes;

namespace Serving.TestCluster.Containers;

/// <summary>
/// One container of a pod through its runs: resolve the image, start the process, run its probes (main containers),
/// record how it ended, restart it per the pod's restartPolicy with the kubelet's backoff. Its state is read as a
/// <see cref="V1ContainerStatus"/> at any time.
/// </summary>
internal sealed partial class ContainerRunner
{
    private static readonly TimeSpan ConfigRetry = TimeSpan.FromSeconds(2);

    private readonly V1Container _spec;
    private readonly bool _init;
    private readonly ContainerHost _host;
    private readonly RestartBackoff _backoff;
    private readonly Lock _lock = new();
    private V1ContainerState _state;
    private V1ContainerState? _lastState;
    private int _restartCount;
    private bool _ready;
    private bool _started;
    private string? _containerId;
    private string _imageId = "";

    public ContainerRunner(V1Container spec, bool init, ContainerHost host, int restartCount)
    {
        _spec = spec;
        _init = init;
        _host = host;
        _backoff = new RestartBackoff(host.BackoffBase, host.BackoffMax);
        _restartCount = restartCount;
        _state = Waiting(init ? "PodInitializing" : "ContainerCreating", null);
    }

    public string Name => _spec.Name;

    public bool Ready
    {
        get
        {
            lock (_lock)
            {
                return _ready;
            }
        }
    }

    public V1ContainerStatus Status()
    {
        lock (_lock)
        {
            return new V1ContainerStatus
            {
                Name = _spec.Name,
                Image = _spec.Image,
                ImageID = _imageId,
                ContainerID = _containerId,
                Ready = _ready,
                Started = _init ? null : _started,
                RestartCount = _restartCount,
                State = _state,
                LastState = _lastState ?? new V1ContainerState(),
            };
        }
    }

    /// <summary>Init containers: runs until one run exits 0 (true), or a failure that will not be retried (false).</summary>
    public async Task<bool> RunToCompletionAsync(CancellationToken stop) => await RunAsync(stop).ConfigureAwait(false) == 0;

    /// <summary>Runs and restarts the container until it must not run again or <paramref name="stop"/> fires; the last exit code, or null if stopped.</summary>
    public async Task<int?> RunAsync(CancellationToken stop)
    {
        while (true)
        {
            var outcome = await RunOnceAsync(stop).ConfigureAwait(false);
            if (outcome is not var (exitCode, probeKilled, finishedAt) || stop.IsCancellationRequested)
            {
                return null;
            }

            string policy = _host.RestartPolicy(_host.Context());
            bool restart = _init
                ? exitCode != 0 && policy != "Never"
                : policy == "Always" || (policy == "OnFailure" && (exitCode != 0 || probeKilled));
            if (!restart)
            {
                return exitCode;
            }

            var wait = _backoff.Remaining(finishedAt, _host.Time.GetUtcNow());
            if (wait > TimeSpan.Zero)
            {
                var context = _host.Context();
                SetWaiting(
                    "CrashLoopBackOff",
                    $"back-off {Seconds(_backoff.Current)} restarting failed container={_spec.Name} pod={context.Name}_{context.Namespace}({context.Pod.Metadata.Uid})");
                LogBackoff(_host.Logger, context.Namespace, context.Name, _spec.Name, wait.TotalSeconds);
                if (!await DelayAsync(wait, stop).ConfigureAwait(false))
                {
                    return null;
                }
            }

            _backoff.Next(_host.Time.GetUtcNow());
            lock (_lock)
            {
                _restartCount++;
            }
        }
    }

    private async Task<(int ExitCode, bool ProbeKilled, DateTimeOffset FinishedAt)?> RunOnceAsync(CancellationToken stop)
    {
        if (_host.Images.Resolve(_spec.Image) is not { } image)
        {
            string why = $"image \"{_spec.Image}\" is not in the node agent's image map (known: {string.Join(", ", _host.Images.Images)})";
            SetWaiting("ErrImagePull", why);
            LogImageMissing(_host.Logger, _spec.Name, _spec.Image);
            if (await DelayAsync(_host.BackoffBase, stop).ConfigureAwait(false))
            {
                // The map does not change while the agent runs: the image stays missing.
                SetWaiting("ImagePullBackOff", $"Back-off pulling image \"{_spec.Image}\": {why}");
                await DelayAsync(Timeout.InfiniteTimeSpan, stop).ConfigureAwait(false);
            }

            return null;
        }

        var context = _host.Context();
        LaunchSpec launch;
        while (true)
        {
            try
            {
                launch = LaunchSpecBuilder.Build(context, _spec, image, _init);
                break;
            }
            catch (ContainerConfigException e)
            {
                SetWaiting("CreateContainerConfigError", e.Message);
                if (!await DelayAsync(ConfigRetry, stop).ConfigureAwait(false))
                {
                    return null;
                }

                await _host.RefreshObjectsAsync(stop).ConfigureAwait(false);
                context = _host.Context();
            }
        }

        var startedAt = _host.Time.GetUtcNow();
        ContainerProcess process;
        try
        {
            process = await ContainerProcess.StartAsync(launch, _host.LogPath(_spec.Name)).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // The kubelet reports a container whose program cannot start as terminated, reason StartError, 128.
            SetTerminated(128, "StartError", $"{launch.FileName}: {e.Message}", startedAt, _host.Time.GetUtcNow());
            return (128, false, _host.Time.GetUtcNow());
        }

        using (process)
        {
            lock (_lock)
            {
                MoveTerminatedToLast();
                _containerId = $"node-agent://{process.Id}";
                _imageId = "node-agent://" + _spec.Image;
                _state = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = startedAt.UtcDateTime } };
                _ready = false;
                _started = _spec.StartupProbe is null;
            }

            _host.Changed();
            LogStarted(_host.Logger, context.Namespace, context.Name, _spec.Name, process.Id, launch.FileName);
            using var run = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var probeFailed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var probes = _init ? Task.CompletedTask : RunProbesAsync(context, launch, probeFailed, run.Token);
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var stopping = stop.Register(() => stopped.TrySetResult());
            var first = await Task.WhenAny(process.Exited, probeFailed.Task, stopped.Task).ConfigureAwait(false);
            bool probeKilled = first == probeFailed.Task;
            if (probeKilled)
            {
                LogProbeKill(_host.Logger, context.Namespace, context.Name, _spec.Name, probeFailed.Task.Result);
            }

            var grace = probeKilled ? TimeSpan.FromSeconds(context.Pod.Spec.TerminationGracePeriodSeconds ?? 30) : _host.GracePeriod();
            int exitCode = first == process.Exited ? await process.Exited.ConfigureAwait(false) : await process.StopAsync(grace, _host.Time).ConfigureAwait(false);
            await run.CancelAsync().ConfigureAwait(false);
            await probes.ConfigureAwait(false);
            var finishedAt = _host.Time.GetUtcNow();
            SetTerminated(exitCode, exitCode == 0 ? "Completed" : "Error", process.Tail, startedAt, finishedAt);
            LogExited(_host.Logger, context.Namespace, context.Name, _spec.Name, exitCode);
            return (exitCode, probeKilled, finishedAt);
        }
    }

    private async Task RunProbesAsync(PodContext context, LaunchSpec launch, TaskCompletionSource<string> failed, CancellationToken cancellationToken)
    {
        try
        {
            if (_spec.StartupProbe is { } startup)
            {
                var passed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await ProbeLoop.RunAsync(
                    startup,
                    Check(startup, context, launch),
                    ok =>
                    {
                        if (ok)
                        {
                            passed.TrySetResult();
                        }
                        else
                        {
                            failed.TrySetResult("startup");
                        }
                    },
                    stopAfterSuccess: true,
                    _host.Time,
                    cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    _started = true;
                }

                _host.Changed();
            }

            var loops = new List<Task>();
            if (_spec.LivenessProbe is { } liveness)
            {
                loops.Add(ProbeLoop.RunAsync(liveness, Check(liveness, context, launch), ok =>
                {
                    if (!ok)
                    {
                        failed.TrySetResult("liveness");
                    }
                }, stopAfterSuccess: false, _host.Time, cancellationToken));
            }

            if (_spec.ReadinessProbe is { } readiness)
            {
                loops.Add(ProbeLoop.RunAsync(readiness, Check(readiness, context, launch), SetReady, stopAfterSuccess: false, _host.Time, cancellationToken));
            }
            else
            {
                SetReady(true);
            }

            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the run ended
        }
    }

    private Func<CancellationToken, Task<bool>> Check(V1Probe probe, PodContext context, LaunchSpec launch)
    {
        try
        {
            return ProbeChecks.For(probe, _spec, context, launch);
        }
        catch (ContainerConfigException e)
        {
            LogBadProbe(_host.Logger, _spec.Name, e.Message);
            return _ => Task.FromResult(false);
        }
    }

    private void SetReady(bool ready)
    {
        lock (_lock)
        {
            if (_ready == ready || _state.Running is null)
            {
                return;
            }

            _ready = ready;
        }

        _host.Changed();
    }

    private void SetWaiting(string reason, string? message)
    {
        lock (_lock)
        {
            MoveTerminatedToLast();
            _state = Waiting(reason, message);
            _ready = false;
        }

        _host.Changed();
    }

    private void SetTerminated(int exitCode, string reason, string message, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        lock (_lock)
        {
            _state = new V1ContainerState
            {
                Terminated = new V1ContainerStateTerminated
                {
                    ExitCode = exitCode,
                    Reason = reason,
                    Message = message.Length > 0 ? message : null,
                    StartedAt = startedAt.UtcDateTime,
                    FinishedAt = finishedAt.UtcDateTime,
                    ContainerID = _containerId,
                    Signal = exitCode > 128 ? exitCode - 128 : null,
                },
            };
            _ready = _init && exitCode == 0;
            if (!_init)
            {
                _started = false;
            }
        }

        _host.Changed();
    }

    private void MoveTerminatedToLast()
    {
        if (_state.Terminated is not null)
        {
            _lastState = _state;
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, _host.Time, stop).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static V1ContainerState Waiting(string reason, string? message) =>
        new() { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } };

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds >= 60 ? $"{(int)span.TotalMinutes}m{span.Seconds}s" : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#}s");

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{Namespace}/{Pod} {Container}: started pid {Pid} ({Program})")]
    private static partial void LogStarted(ILogger logger, string @namespace, string pod, string container, int pid, string program);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{Namespace}/{Pod} {Container}: exited with {ExitCode}")]
    private static partial void LogExited(ILogger logger, string @namespace, string pod, string container, int exitCode);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "{Namespace}/{Pod} {Container}: back-off {Seconds:0.#} s before restarting")]
    private static partial void LogBackoff(ILogger logger, string @namespace, string pod, string container, double seconds);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "{Namespace}/{Pod} {Container}: {Probe} probe failed, killing the container")]
    private static partial void LogProbeKill(ILogger logger, string @namespace, string pod, string container, string probe);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "container {Container}: image {Image} is not in the image map")]
    private static partial void LogImageMissing(ILogger logger, string container, string image);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "container {Container}: probe cannot run: {Reason}")]
    private static partial void LogBadProbe(ILogger logger, string container, string reason);
}
