using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Serving.Controller.Local.Diagnostics;

namespace Serving.Controller.Local.Processes;

/// <summary>
/// One replica: a runtime process on a free loopback port. It is ready once it has said where it listens and its
/// readiness endpoint answers 200; it stops by SIGTERM (the runtime finishes in-flight requests, then exits) and is
/// killed if it outlives the grace period.
/// </summary>
internal sealed partial class ReplicaProcess : IAsyncDisposable
{
    private const int TailLines = 20;

    /// <summary>Part of the runtime's "Model {Model} version {Version} loaded from {Path} ..." line (ModelLoader).</summary>
    private const string LoadedMarker = " loaded from ";
    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each probe has its own timeout
    };

    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Task> _disposal;
    private int _stopRequested;

    private ReplicaProcess(Process process, string name, StartTimeline timeline, ILogger logger)
    {
        _disposal = new(DisposeOnceAsync);
        _process = process;
        _name = name;
        Timeline = timeline;
        _logger = logger;
    }

    /// <summary>A name for logs: <c>{revision}#{n}</c>.</summary>
    public string Name => _name;

    public int ProcessId => _process.Id;

    /// <summary>Set once ready: <c>http://127.0.0.1:{port}</c>.</summary>
    public string? Address { get; private set; }

    /// <summary>When it was spawned, loaded its model, listened and became ready (for the cold-start breakdown).</summary>
    public StartTimeline Timeline { get; }

    /// <summary>Completes with the exit code when the process ends.</summary>
    public Task<int> Exited => _exited.Task;

    public bool StopRequested => Volatile.Read(ref _stopRequested) == 1;

    /// <summary>The last lines the process wrote, for a failure message.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join("\n", _tail);
            }
        }
    }

    public static ReplicaProcess Start(RuntimeCommand command, string name, StartTimeline timeline, ILogger logger)
    {
        var info = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in command.Arguments)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in command.Environment)
        {
            info.Environment[key] = value;
        }

        // The runtime stops itself if this process disappears without stopping it (killed outright).
        info.Environment["SERVING_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var replica = new ReplicaProcess(process, name, timeline, logger);
        process.OutputDataReceived += (_, e) => replica.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => replica.OnLine(e.Data);
        process.Exited += (_, _) => replica.OnExited();
        process.Start();
        timeline.Stamp(StartStep.Spawned);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return replica;
    }

    /// <summary>
    /// Waits until the replica listens and a readiness probe succeeds, probing every <see cref="ProbeSettings.StartupPeriod"/>
    /// with <see cref="ProbeSettings.Timeout"/> per probe, as a Kubernetes startup probe does: a probe that fails or times
    /// out is only retried; the start fails when <see cref="ProbeSettings.StartDeadline"/> passes as a whole, or when the
    /// process exits first (<see cref="ReplicaFailedException"/> with its last output either way).
    /// </summary>
    public async Task<string> WaitReadyAsync(ProbeSettings probes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probes);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        linked.CancelAfter(probes.StartDeadline);
        string? lastProbe = null;
        try
        {
            var first = await Task.WhenAny(_listening.Task, _exited.Task).WaitAsync(linked.Token);
            if (first == _exited.Task)
            {
                throw Failed();
            }

            string address = await _listening.Task;
            while (true)
            {
                if (_exited.Task.IsCompleted)
                {
                    throw Failed();
                }

                lastProbe = await ProbeAsync(address, probes.Timeout, linked.Token);
                if (lastProbe is null)
                {
                    Timeline.Stamp(StartStep.Ready);
                    Address = address;
                    return address;
                }

                await Task.Delay(probes.StartupPeriod, linked.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            string probe = lastProbe is null ? "it never listened" : $"last probe: {lastProbe}";
            throw new ReplicaFailedException($"not ready within {probes.StartDeadline.TotalSeconds:0} s ({probe}); last output:\n{Tail}", null);
        }
    }

    /// <summary>One readiness probe: null when it passed, else why not (refused, timed out after <paramref name="timeout"/>, a status).</summary>
    public async Task<string?> ProbeAsync(string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var probe = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        probe.CancelAfter(timeout);
        try
        {
            using var response = await Probe.GetAsync(new Uri(address + "/v2/health/ready"), probe.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"timed out after {timeout.TotalSeconds:0.###} s";
        }
    }

    /// <summary>Asks the replica to drain and exit (SIGTERM); kills it if it is still there after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
        {
            await _exited.Task.ConfigureAwait(false);
            return;
        }

        await _stopping.CancelAsync();
        if (!_exited.Task.IsCompleted)
        {
            Signals.Terminate(_process.Id);
            if (await Task.WhenAny(_exited.Task, Task.Delay(grace)) != _exited.Task)
            {
                LogKilled(_logger, _name, grace.TotalSeconds);
                _process.Kill(entireProcessTree: true);
                await _exited.Task;
            }
        }
    }

    /// <summary>
    /// Stops and releases the process once, however many owners call it and from which threads (a replica that drains
    /// as its revision is disposed has two): <see cref="Process.Dispose()"/> run twice at once throws.
    /// </summary>
    public ValueTask DisposeAsync() => new(_disposal.Value);

    private async Task DisposeOnceAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        _stopping.Dispose();
    }

    private ReplicaFailedException Failed() =>
        new($"exited with code {_exited.Task.Result} before it was ready; last output:\n{Tail}", _exited.Task.Result);

    /// <summary>Kills the process at once (a start that missed its deadline); no grace, as the kubelet kills a failed startup probe.</summary>
    public async Task KillAsync()
    {
        Interlocked.Exchange(ref _stopRequested, 1);
        await _stopping.CancelAsync();
        if (!_exited.Task.IsCompleted)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited meanwhile
            }

            await _exited.Task;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }

        LogOutput(_logger, _name, line);
        if (!Timeline.Has(StartStep.ModelLoaded) && line.Contains(LoadedMarker, StringComparison.Ordinal))
        {
            Timeline.Stamp(StartStep.ModelLoaded);
        }

        if (!_listening.Task.IsCompleted && ListeningLine().Match(line) is { Success: true } match)
        {
            Timeline.Stamp(StartStep.Listening);
            _listening.TrySetResult(match.Groups[1].Value);
        }
    }

    private void OnExited()
    {
        // Exited can fire before the last output lines are read; WaitForExit() drains them.
        _process.WaitForExit();
        _exited.TrySetResult(_process.ExitCode);
    }

    [GeneratedRegex(@"Now listening on: (http://[0-9.]+:[0-9]+)")]
    private static partial Regex ListeningLine();

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "{Replica}: {Line}")]
    private static partial void LogOutput(ILogger logger, string replica, string line);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "{Replica} did not exit within {Seconds} s of SIGTERM: killed")]
    private static partial void LogKilled(ILogger logger, string replica, double seconds);
}

/// <summary>A replica that exited or never became ready; the message carries its last output.</summary>
public sealed class ReplicaFailedException(string message, int? exitCode) : Exception(message)
{
    public int? ExitCode { get; } = exitCode;
}
