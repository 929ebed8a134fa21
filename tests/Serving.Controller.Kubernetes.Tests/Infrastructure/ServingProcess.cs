using System.Diagnostics;
using System.Text;
using Serving.TestCluster.Processes;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>One of the platform's executables (a dll next to the tests) as a real process, its output kept; it dies with the test process.</summary>
internal class ServingProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    protected ServingProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Where the output is written when the process is disposed (kept with the control plane's logs); null: nowhere.</summary>
    public string? LogPath { get; init; }

    public bool Exited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet {dll} {arguments}</c> (a dll next to the tests) with the test process's environment.</summary>
    public static async Task<ServingProcess> StartAsync(string dll, IEnumerable<string> arguments) => new(await LaunchAsync(dll, arguments));

    /// <summary>Runs a script of the repository (<c>bash {path} {arguments}</c>, from the repository root) with the test process's environment and <paramref name="environment"/>.</summary>
    public static async Task<ServingProcess> StartScriptAsync(string path, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        info.ArgumentList.Add(path);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Inherit(info);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new ServingProcess(await ProcessLauncher.StartAsync(info));
    }

    /// <summary>SIGINT to its process group, as Ctrl+C in a terminal; waits for it to end (at most <paramref name="timeout"/>).</summary>
    public async Task InterruptAsync(TimeSpan timeout)
    {
        Signals.SendToGroup(_process.Id, Signals.Interrupt);
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
    }

    /// <summary>Waits until the output has a line containing <paramref name="text"/>; fails if the process ends first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"'{text}' did not show in the output (exited: {_process.HasExited}):\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The last lines of the output, for failure messages.</summary>
    public string Tail(int lines = 30) => string.Join('\n', Output.Split('\n').TakeLast(lines));

    /// <summary>SIGKILL, as a node that dies would end it: no chance to clean up.</summary>
    public async Task KillAsync()
    {
        Signals.SendToGroup(_process.Id, Signals.Kill);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod; SIGKILL if it has not ended within 10 s. The output stays readable.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signals.SendToGroup(_process.Id, Signals.Term);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Signals.SendToGroup(_process.Id, Signals.Kill);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        if (LogPath is { } path)
        {
            await File.WriteAllTextAsync(path, Output);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts <c>dotnet {dll} {arguments}</c> with the test process's environment.</summary>
    protected static Task<Process> LaunchAsync(string dll, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Inherit(info);
        return ProcessLauncher.StartAsync(info);
    }

    private static void Inherit(ProcessStartInfo info)
    {
        foreach (var variable in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            info.Environment[variable] = Environment.GetEnvironmentVariable(variable);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
