using Microsoft.Extensions.Logging;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Planning;

namespace Serving.Controller.Local.Processes;

/// <summary>
/// The replicas of one revision as local processes, run as a Deployment's pods are. <see cref="ScaleTo"/> starts or drains
/// replicas; a replica joins routing once its startup probe passes, leaves it while its readiness probe fails, and is
/// taken out of routing before it is stopped, so no request meets a dying process. A start that fails (the process exits,
/// or misses its start deadline) or a replica that crashes is retried with the kubelet's CrashLoopBackOff; the revision is
/// <see cref="RevisionPhase.Failed"/> until a replica is ready once, then <see cref="RevisionPhase.Ready"/> for good.
/// A start with no command yet (its model folder is missing) is a failed start too; a revision that can never run here
/// (a custom image, remote storage) fails for good.
/// </summary>
internal sealed partial class RevisionRunner : IAsyncDisposable
{
    public const string CrashLoopBackOff = "CrashLoopBackOff";

    private readonly Lock _lock = new();
    private readonly List<Entry> _replicas = [];
    private readonly Func<Launch> _launch;
    private readonly bool _impossible;
    private readonly ReplicaTimings _timings;
    private readonly Func<string, CancellationToken, Task> _drained;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly StartHistory _history;
    private readonly CancellationTokenSource _disposed = new();
    private int _desired;
    private int _started;
    private int _backoffStep;
    private long _backoffUntil;
    private bool _restartScheduled;

    /// <param name="drained">Completes once the gateway no longer routes to a replica's address and its requests there are done.</param>
    /// <param name="launch">How to start a replica now; asked at every start.</param>
    public RevisionRunner(
        RevisionRecord revision, Func<Launch> launch, ReplicaTimings timings, Func<string, CancellationToken, Task> drained,
        StartHistory history, TimeProvider clock, ILogger logger)
    {
        _history = history;
        _clock = clock;
        Revision = revision;
        _launch = launch;
        _timings = timings;
        _drained = drained;
        _logger = logger;
        if (launch() is { Command: null, Permanent: true } impossible)
        {
            _impossible = true;
            Phase = RevisionPhase.Failed;
            Message = impossible.Error;
        }
    }

    /// <summary>Raised (on any thread) when endpoints, the phase or a failure change.</summary>
    public event Action<RevisionRunner>? Changed;

    public RevisionRecord Revision { get; }

    public string Name => Revision.Name;

    public RevisionPhase Phase { get; private set; } = RevisionPhase.Pending;

    public string? Message { get; private set; }

    public int? ExitCode { get; private set; }

    /// <summary>Failed starts and crashes so far (a pod's restartCount).</summary>
    public int Restarts { get; private set; }

    /// <summary><see cref="CrashLoopBackOff"/> from a failure until a replica is ready again.</summary>
    public string? Waiting { get; private set; }

    public int Desired => Volatile.Read(ref _desired);

    /// <summary>Ready replicas taking traffic.</summary>
    public IReadOnlyList<string> Endpoints
    {
        get
        {
            lock (_lock)
            {
                return [.. _replicas.Where(r => r.Serving).Select(r => r.Process.Address!)];
            }
        }
    }

    public int ReadyReplicas => Endpoints.Count;

    /// <summary>Ready replicas taking traffic, with their start timelines.</summary>
    public IReadOnlyList<(string Address, StartTimeline Timeline)> Serving
    {
        get
        {
            lock (_lock)
            {
                return [.. _replicas.Where(r => r.Serving).Select(r => (r.Process.Address!, r.Process.Timeline))];
            }
        }
    }

    /// <summary>The start timelines of the ready replicas taking traffic.</summary>
    public IReadOnlyList<StartTimeline> ServingTimelines => [.. Serving.Select(s => s.Timeline)];

    public RevisionObservation Observe()
    {
        lock (_lock)
        {
            return new(Phase, _replicas.Count(r => r.Serving), Message, ExitCode, Restarts, Waiting);
        }
    }

    /// <summary>
    /// Sets how many replicas should run; starts or drains the difference (starts wait out a restart backoff).
    /// <paramref name="activatedAt"/> (a timestamp, 0 for none) is when a waiting request asked for this, recorded on the
    /// timelines of the replicas it starts.
    /// </summary>
    public void ScaleTo(int replicas, long activatedAt = 0)
    {
        if (_impossible || _disposed.IsCancellationRequested)
        {
            return;
        }

        replicas = Math.Max(0, replicas);
        var start = 0;
        var drain = new List<Entry>();
        lock (_lock)
        {
            _desired = replicas;
            var active = _replicas.Where(r => !r.Draining).ToList();
            if (active.Count < replicas)
            {
                start = InBackoffLocked() ? 0 : replicas - active.Count;
            }
            else if (active.Count > replicas)
            {
                // Starting ones go first, then the newest ready ones.
                drain.AddRange(active.OrderBy(r => r.Ready).ThenByDescending(r => r.Number).Take(active.Count - replicas));
                drain.ForEach(r => r.Draining = true);
            }
        }

        for (int i = 0; i < start; i++)
        {
            Start(activatedAt);
        }

        if (drain.Count > 0)
        {
            LogScaledDown(_logger, Name, drain.Count, replicas);
            Changed?.Invoke(this);
            foreach (var entry in drain)
            {
                _ = DrainAsync(entry);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        ScaleTo(0);
        await _disposed.CancelAsync();
        List<Entry> all;
        lock (_lock)
        {
            all = [.. _replicas];
        }

        await Task.WhenAll(all.Select(e => e.Stopped ?? e.Process.StopAsync(_timings.StopGrace)));
        foreach (var entry in all)
        {
            await entry.Process.DisposeAsync();
        }

        _disposed.Dispose();
    }

    private bool InBackoffLocked() => _backoffUntil != 0 && _clock.GetTimestamp() < _backoffUntil;

    private void Start(long activatedAt)
    {
        var launch = _launch();
        if (launch.Command is not { } command)
        {
            _ = OnReplicaFailedAsync(null, launch.Error ?? "it cannot be started", null);
            return;
        }

        int number = Interlocked.Increment(ref _started);
        var timeline = new StartTimeline($"{Name}#{number}", _clock);
        if (activatedAt != 0)
        {
            timeline.Stamp(StartStep.Activated, activatedAt);
        }

        _history.Add(timeline);
        var process = ReplicaProcess.Start(command, timeline.Replica, timeline, _logger);
        var entry = new Entry(process, number);
        lock (_lock)
        {
            _replicas.Add(entry);
        }

        LogStarting(_logger, entry.Process.Name, process.ProcessId);
        _ = RunAsync(entry);
    }

    private async Task RunAsync(Entry entry)
    {
        string address;
        try
        {
            address = await entry.Process.WaitReadyAsync(_timings.Probes, _disposed.Token);
            bool first;
            lock (_lock)
            {
                entry.Ready = !entry.Draining;
                entry.ReadySince = _clock.GetTimestamp();
                first = Phase != RevisionPhase.Ready;
                Phase = RevisionPhase.Ready;
                Waiting = null;
                Message = null;
                ExitCode = null;
            }

            var took = entry.Process.Timeline.Between(StartStep.Spawned, StartStep.Ready) ?? TimeSpan.Zero;
            LogReady(_logger, entry.Process.Name, address, took.TotalMilliseconds, first);
            Changed?.Invoke(this);
        }
        catch (ReplicaFailedException e)
        {
            await entry.Process.KillAsync();
            await OnReplicaFailedAsync(entry, e.Message, e.ExitCode);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var probing = ProbeWhileUpAsync(entry, address);
        int code = await entry.Process.Exited;
        await probing;
        if (!entry.Process.StopRequested)
        {
            await OnReplicaFailedAsync(entry, $"exited with code {code}; last output:\n{entry.Process.Tail}", code);
        }
    }

    /// <summary>The readiness probe of a ready replica: out of routing after the failure threshold, back in on a success.</summary>
    private async Task ProbeWhileUpAsync(Entry entry, string address)
    {
        var probes = _timings.Probes;
        int failures = 0;
        try
        {
            while (!entry.Process.StopRequested && !entry.Draining)
            {
                var wait = Task.Delay(probes.Period, _clock, _disposed.Token);
                if (await Task.WhenAny(wait, entry.Process.Exited) != wait)
                {
                    return;
                }

                await wait;
                string? failure = await entry.Process.ProbeAsync(address, probes.Timeout, _disposed.Token);
                failures = failure is null ? 0 : failures + 1;
                bool unready = failures >= probes.FailureThreshold;
                if (unready == entry.Unready || entry.Process.Exited.IsCompleted)
                {
                    continue;
                }

                lock (_lock)
                {
                    entry.Unready = unready;
                }

                if (unready)
                {
                    LogUnready(_logger, entry.Process.Name, failures, failure ?? "");
                }
                else
                {
                    LogReadyAgain(_logger, entry.Process.Name);
                }

                Changed?.Invoke(this);
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }

    /// <summary>
    /// A replica failed to start or died unasked (<paramref name="entry"/> null: it could not even be spawned): it is
    /// removed, and started again after the backoff.
    /// </summary>
    private async Task OnReplicaFailedAsync(Entry? entry, string message, int? exitCode)
    {
        if (_disposed.IsCancellationRequested || (entry is not null && entry.Process.StopRequested && !entry.Failed))
        {
            return;
        }

        TimeSpan delay;
        bool schedule;
        lock (_lock)
        {
            if (entry is not null)
            {
                _replicas.Remove(entry);
            }

            if (entry is { ReadySince: not 0 } && _clock.GetElapsedTime(entry.ReadySince) >= _timings.BackoffReset)
            {
                _backoffStep = 0;
            }

            double ms = _timings.RestartBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(_backoffStep++, 20));
            delay = TimeSpan.FromMilliseconds(Math.Min(ms, _timings.MaxRestartBackoff.TotalMilliseconds));
            _backoffUntil = _clock.GetTimestamp() + (long)(delay.TotalSeconds * _clock.TimestampFrequency);
            Restarts++;
            Waiting = CrashLoopBackOff;
            Message = message;
            ExitCode = exitCode;
            if (Phase != RevisionPhase.Ready)
            {
                Phase = RevisionPhase.Failed;
            }

            schedule = !_restartScheduled;
            _restartScheduled = true;
        }

        LogReplicaFailed(_logger, entry?.Process.Name ?? Name, delay.TotalSeconds, message);
        if (entry is not null)
        {
            await entry.Process.DisposeAsync();
        }

        Changed?.Invoke(this);
        if (!schedule)
        {
            return; // another failure already waits to restart
        }

        try
        {
            await Task.Delay(delay, _clock, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        lock (_lock)
        {
            _restartScheduled = false;
            _backoffUntil = 0;
        }

        ScaleTo(Desired);
    }

    /// <summary>Out of routing first: wait until the gateway no longer sends it requests, then SIGTERM (the runtime drains too).</summary>
    private async Task DrainAsync(Entry entry)
    {
        var stopped = StopAfterDrainAsync(entry);
        entry.Stopped = stopped;
        await stopped;
        lock (_lock)
        {
            _replicas.Remove(entry);
        }

        await entry.Process.DisposeAsync();
    }

    private async Task StopAfterDrainAsync(Entry entry)
    {
        if (entry.Process.Address is { } address)
        {
            using var timeout = new CancellationTokenSource(_timings.DrainTimeout, _clock);
            try
            {
                await _drained(address, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                LogDrainTimedOut(_logger, entry.Process.Name, _timings.DrainTimeout.TotalSeconds);
            }
        }

        await entry.Process.StopAsync(_timings.StopGrace);
        LogStopped(_logger, entry.Process.Name);
    }

    private sealed class Entry(ReplicaProcess process, int number)
    {
        public ReplicaProcess Process { get; } = process;

        public int Number { get; } = number;

        public bool Ready { get; set; }

        /// <summary>Its readiness probe failed past the threshold: out of routing until it passes again.</summary>
        public bool Unready { get; set; }

        public bool Draining { get; set; }

        /// <summary>Killed because its start failed (its exit is a failure, not a stop).</summary>
        public bool Failed => !Ready && Process.StopRequested && !Draining;

        public long ReadySince { get; set; }

        public bool Serving => Ready && !Unready && !Draining;

        public Task? Stopped { get; set; }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "{Replica} starting (pid {Pid})")]
    private static partial void LogStarting(ILogger logger, string replica, int pid);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "{Replica} ready at {Address} after {Milliseconds:0} ms (first for its revision: {First})")]
    private static partial void LogReady(ILogger logger, string replica, string address, double milliseconds, bool first);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "{Replica} failed, restarting in {Seconds:0.#} s: {Message}")]
    private static partial void LogReplicaFailed(ILogger logger, string replica, double seconds, string message);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Information, Message = "{Revision}: draining {Count} replica(s), {Desired} wanted")]
    private static partial void LogScaledDown(ILogger logger, string revision, int count, int desired);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Information, Message = "{Replica} stopped")]
    private static partial void LogStopped(ILogger logger, string replica);

    [LoggerMessage(EventId = 1115, Level = LogLevel.Warning, Message = "{Replica} not ready ({Failures} probes failed, last: {Failure}): out of routing until it answers")]
    private static partial void LogUnready(ILogger logger, string replica, int failures, string failure);

    [LoggerMessage(EventId = 1116, Level = LogLevel.Information, Message = "{Replica} ready again: back in routing")]
    private static partial void LogReadyAgain(ILogger logger, string replica);

    [LoggerMessage(EventId = 1117, Level = LogLevel.Warning, Message = "{Replica} still had requests after {Seconds:0} s of draining: stopping it anyway")]
    private static partial void LogDrainTimedOut(ILogger logger, string replica, double seconds);
}
