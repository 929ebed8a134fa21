using System.Diagnostics;
using System.Text;
using Serving.TestCluster.Processes;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// One of the platform's programs (<c>dotnet X.dll ...</c>, copied next to the tests) as a real process with its output
/// kept; it dies with the test process (<see cref="ProcessLauncher"/>).
/// </summary>
internal sealed class DotnetProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DotnetProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

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

    /// <param name="dll">The program's file name in the test's output folder.</param>
    public static async Task<DotnetProcess> StartAsync(string dll, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var variable in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            info.Environment[variable] = Environment.GetEnvironmentVariable(variable);
        }

        return new DotnetProcess(await ProcessLauncher.StartAsync(info));
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

    /// <summary>SIGKILL, as a node that dies would end it: no chance to clean up.</summary>
    public async Task KillAsync()
    {
        Signals.SendToGroup(_process.Id, Signals.Kill);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod; SIGKILL if it has not ended within 10 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        Signals.SendToGroup(_process.Id, Signals.Term);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
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
