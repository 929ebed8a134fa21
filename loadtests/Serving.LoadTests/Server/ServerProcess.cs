using System.Diagnostics;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Observation;

namespace Serving.LoadTests.Server;

/// <summary>
/// A server under test or serving a test, as a child process whose output goes to a log file. Started ready (its
/// <see cref="ReadyProbe"/> answered 2xx); disposing kills it and everything it started, so no server outlives its use.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ProcessLog _log;

    private ServerProcess(ProcessSpec spec, Process process, ProcessLog log)
    {
        Spec = spec;
        _process = process;
        _log = log;
    }

    public ProcessSpec Spec { get; }

    public int ProcessId => _process.Id;

    public string LogPath => _log.Path;

    public bool HasExited => _process.HasExited;

    public static async Task<ServerProcess> StartAsync(
        ProcessSpec spec, ReadyProbe ready, string logPath, TimeSpan readyTimeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in spec.Arguments)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in spec.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var log = new ProcessLog(logPath);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => log.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            log.Dispose();
            process.Dispose();
            throw new BenchmarkException($"could not start '{spec.FileName}' ({spec.Name})", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(spec, process, log);
        try
        {
            await server.WaitUntilReadyAsync(ready, readyTimeout, cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>CPU ticks (utime + stime) of the process and its descendants, e.g. nginx's master and workers.</summary>
    public long CpuTicks() => CpuCounters.ProcessTree(_process.Id).Sum(CpuCounters.ProcessTicks);

    /// <summary>
    /// SIGTERM first, so that a server stops its own children (nginx reaps its workers; killed, they would be left to
    /// init as zombies), then SIGKILL to the whole tree after the spec's <see cref="ProcessSpec.StopGrace"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await ShortCommand.RunAsync(
                    new ProcessSpec("kill", "kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
                    TimeSpan.FromSeconds(5),
                    CancellationToken.None);
                using var grace = new CancellationTokenSource(Spec.StopGrace);
                await _process.WaitForExitAsync(grace.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // Still running after SIGTERM, or no kill command: SIGKILL below.
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // Already gone, or not gone in 15 s after SIGKILL: nothing more this process can do.
        }
        finally
        {
            _process.Dispose();
            _log.Dispose();
        }
    }

    private async Task WaitUntilReadyAsync(ReadyProbe ready, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkException($"{Spec.Name} exited with code {_process.ExitCode} before it was ready; see {_log.Path}");
            }

            try
            {
                if (ready.Url.Scheme == "tcp")
                {
                    using var tcp = new System.Net.Sockets.TcpClient();
                    await tcp.ConnectAsync(ready.Url.Host, ready.Url.Port, cancellationToken);
                    return; // listening (Redis, a gRPC server over h2c)
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, ready.Url);
                if (ready.Host is { } host)
                {
                    request.Headers.Host = host;
                }

                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe timed out; try again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        throw new BenchmarkException($"{Spec.Name} was not ready within {timeout.TotalSeconds:0} s; see {_log.Path}");
    }
}
