using Microsoft.Extensions.Logging;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Planning;

namespace Serving.Controller.Local.Processes;

/// <summary>How long things may take on this machine; tests shorten them.</summary>
public sealed record ReplicaTimings
{
    /// <summary>How often a starting replica's readiness is polled once it listens.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a replica may take to become ready.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a replica taken out of routing may take to finish its requests before SIGTERM.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long after SIGTERM before a replica is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Replicas of a ready revision that crash are restarted this many times in a row before it is failed.</summary>
    public int MaxRestarts { get; init; } = 3;
}

/// <summary>
/// The replicas of one revision as local processes. <see cref="ScaleTo"/> starts or drains replicas; a replica joins
/// routing once ready and leaves it before it is stopped, so no request meets a dying process. The first replica that
/// becomes ready makes the revision <see cref="RevisionPhase.Ready"/> for good; a replica that exits before it was
/// ever ready fails the revision (its last output is the message), as a crash-looping pod fails a Knative revision.
/// </summary>
internal sealed partial class RevisionRunner : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _replicas = [];
    private readonly RuntimeCommand? _command;
    private readonly ReplicaTimings _timings;
    private readonly Func<string, int> _inFlight;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly StartHistory _history;
    private readonly CancellationTokenSource _disposed = new();
    private int _desired;
    private int _started;
    private int _restarts;

    public RevisionRunner(
        RevisionRecord revision, RuntimeCommand? command, string? error, ReplicaTimings timings, Func<string, int> inFlight,
        StartHistory history, TimeProvider clock, ILogger logger)
    {
        _history = history;
        _clock = clock;
        Revision = revision;
        _command = command;
        _timings = timings;
        _inFlight = inFlight;
        _logger = logger;
        if (command is null)
        {
            Phase = RevisionPhase.Failed;
            Message = error;
        }
    }

    /// <summary>Raised (on any thread) when endpoints or the phase change.</summary>
    public event Action<RevisionRunner>? Changed;

    public RevisionRecord Revision { get; }

    public string Name => Revision.Name;

    public RevisionPhase Phase { get; private set; } = RevisionPhase.Pending;

    public string? Message { get; private set; }

    public int? ExitCode { get; private set; }

    public int Desired => Volatile.Read(ref _desired);

    /// <summary>Ready replicas taking traffic.</summary>
    public IReadOnlyList<string> Endpoints
    {
        get
        {
            lock (_lock)
            {
                return [.. _replicas.Where(r => r.Ready && !r.Draining).Select(r => r.Process.Address!)];
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
                return [.. _replicas.Where(r => r.Ready && !r.Draining).Select(r => (r.Process.Address!, r.Process.Timeline))];
            }
        }
    }

    /// <summary>The start timelines of the ready replicas taking traffic.</summary>
    public IReadOnlyList<StartTimeline> ServingTimelines => [.. Serving.Select(s => s.Timeline)];

    public RevisionObservation Observe() => new(Phase, ReadyReplicas, Message, ExitCode);

    /// <summary>
    /// Sets how many replicas should run; starts or drains the difference. <paramref name="activatedAt"/> (a timestamp,
    /// 0 for none) is when a waiting request asked for this, recorded on the timelines of the replicas it starts.
    /// </summary>
    public void ScaleTo(int replicas, long activatedAt = 0)
    {
        if (_command is null || Phase == RevisionPhase.Failed || _disposed.IsCancellationRequested)
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
                start = replicas - active.Count;
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

    private void Start(long activatedAt)
    {
        int number = Interlocked.Increment(ref _started);
        var timeline = new StartTimeline($"{Name}#{number}", _clock);
        if (activatedAt != 0)
        {
            timeline.Stamp(StartStep.Activated, activatedAt);
        }

        _history.Add(timeline);
        var process = ReplicaProcess.Start(_command!, timeline.Replica, timeline, _logger);
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
        try
        {
            string address = await entry.Process.WaitReadyAsync(_timings.ProbeInterval, _timings.StartTimeout, _disposed.Token);
            bool first;
            lock (_lock)
            {
                entry.Ready = !entry.Draining;
                first = Phase != RevisionPhase.Ready;
                Phase = RevisionPhase.Ready;
                _restarts = 0;
            }

            var took = entry.Process.Timeline.Between(StartStep.Spawned, StartStep.Ready) ?? TimeSpan.Zero;
            LogReady(_logger, entry.Process.Name, address, took.TotalMilliseconds, first);
            Changed?.Invoke(this);
        }
        catch (ReplicaFailedException e)
        {
            await OnReplicaFailedAsync(entry, e.Message, e.ExitCode);
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        int code = await entry.Process.Exited;
        if (!entry.Process.StopRequested)
        {
            await OnReplicaFailedAsync(entry, $"exited with code {code}; last output:\n{entry.Process.Tail}", code);
        }
    }

    /// <summary>A replica died unasked: before the revision was ever ready it fails the revision; after, it is replaced.</summary>
    private async Task OnReplicaFailedAsync(Entry entry, string message, int? exitCode)
    {
        if (entry.Process.StopRequested || _disposed.IsCancellationRequested)
        {
            return;
        }

        bool restart;
        lock (_lock)
        {
            _replicas.Remove(entry);
            restart = Phase == RevisionPhase.Ready && ++_restarts <= _timings.MaxRestarts;
            if (!restart)
            {
                Phase = RevisionPhase.Failed;
                Message = message;
                ExitCode = exitCode;
            }
        }

        LogReplicaFailed(_logger, entry.Process.Name, message);
        await entry.Process.DisposeAsync();
        Changed?.Invoke(this);
        if (restart)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            ScaleTo(Desired);
        }
        else
        {
            await StopAllAsync();
        }
    }

    private async Task StopAllAsync()
    {
        List<Entry> rest;
        lock (_lock)
        {
            rest = [.. _replicas];
            rest.ForEach(r => r.Draining = true);
        }

        await Task.WhenAll(rest.Select(DrainAsync));
    }

    /// <summary>Out of routing already: wait for its requests to finish, then SIGTERM (the runtime drains too).</summary>
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
            var deadline = DateTimeOffset.UtcNow + _timings.DrainTimeout;
            while (_inFlight(address) > 0 && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(10, CancellationToken.None);
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

        public bool Draining { get; set; }

        public Task? Stopped { get; set; }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Information, Message = "{Replica} starting (pid {Pid})")]
    private static partial void LogStarting(ILogger logger, string replica, int pid);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Information, Message = "{Replica} ready at {Address} after {Milliseconds:0} ms (first for its revision: {First})")]
    private static partial void LogReady(ILogger logger, string replica, string address, double milliseconds, bool first);

    [LoggerMessage(EventId = 1112, Level = LogLevel.Warning, Message = "{Replica} failed: {Message}")]
    private static partial void LogReplicaFailed(ILogger logger, string replica, string message);

    [LoggerMessage(EventId = 1113, Level = LogLevel.Information, Message = "{Revision}: draining {Count} replica(s), {Desired} wanted")]
    private static partial void LogScaledDown(ILogger logger, string revision, int count, int desired);

    [LoggerMessage(EventId = 1114, Level = LogLevel.Information, Message = "{Replica} stopped")]
    private static partial void LogStopped(ILogger logger, string replica);
}
