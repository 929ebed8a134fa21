using System.Diagnostics;
using Serving.TestCluster.Processes;

namespace Serving.TestCluster.Containers;

/// <summary>
/// One run of a container: a local process (and its process group) whose output goes to the container's log file,
/// with its last lines kept for the terminated state's message.
/// </summary>
internal sealed class ContainerProcess : IDisposable
{
    private const int TailLines = 20;
    private const int TailBytes = 2048;

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exitHandled;

    private ContainerProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public int Id => _process.Id;

    /// <summary>Completes with the exit code (128 + signal when a signal ended it) once the output is drained.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>The last lines the process wrote (at most 20 lines, 2 KiB), as the kubelet's FallbackToLogsOnError keeps them.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                string text = string.Join('\n', _tail);
                return text.Length > TailBytes ? text[^TailBytes..] : text;
            }
        }
    }

    public static async Task<ContainerProcess> StartAsync(LaunchSpec spec, string logPath)
    {
        var info = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = spec.WorkingDirectory,
        };
        foreach (string argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        Process process;
        try
        {
            process = await ProcessLauncher.StartAsync(info).ConfigureAwait(false);
        }
        catch
        {
            await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var container = new ContainerProcess(process, log);
        process.OutputDataReceived += (_, e) => container.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => container.OnLine(e.Data);
        process.Exited += (_, _) => container.OnExited();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        if (process.HasExited)
        {
            container.OnExited();
        }

        return container;
    }

    public void Signal(int signal)
    {
        if (!_exited.Task.IsCompleted)
        {
            Signals.SendToGroup(_process.Id, signal);
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it is still there after <paramref name="grace"/>; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan grace, TimeProvider time)
    {
        Signal(Signals.Term);
        using var deadline = new CancellationTokenSource(grace, time);
        try
        {
            return await _exited.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Signal(Signals.Kill);
            return await _exited.Task.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        Signal(Signals.Kill);
        _process.Dispose();
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

            _log.WriteLine(line);
        }
    }

    private void OnExited()
    {
        if (Interlocked.Exchange(ref _exitHandled, 1) == 1)
        {
            return;
        }

        // Exited can fire before the last output lines are read; WaitForExit() drains them.
        _process.WaitForExit();
        lock (_tail)
        {
            _log.Dispose();
        }

        _exited.TrySetResult(_process.ExitCode);
    }
}
