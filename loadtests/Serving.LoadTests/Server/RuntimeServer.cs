using System.Diagnostics;
using Serving.LoadTests.Cli;

namespace Serving.LoadTests.Server;

/// <summary>
/// A real <c>serving-runtime</c> process on a free loopback port, started with <c>dotnet serving-runtime.dll</c>.
/// Disposing kills it (and anything it started), so no server outlives its configuration.
/// </summary>
internal sealed class RuntimeServer : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ProcessLog _log;

    private RuntimeServer(Process process, ProcessLog log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public static string CommandLine(string serverDll, IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Prepend(serverDll).Prepend("dotnet"));

    public static async Task<RuntimeServer> StartAsync(
        string serverDll, ServerConfig config, string modelDir, string modelName, string logPath, CancellationToken cancellationToken)
    {
        int port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(serverDll);
        foreach (string arg in config.Arguments(modelDir, modelName, port))
        {
            start.ArgumentList.Add(arg);
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
            throw new BenchmarkException("could not start 'dotnet'", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new RuntimeServer(process, log, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await server.WaitUntilReadyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
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

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(ReadyTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                throw new BenchmarkException($"serving-runtime exited with code {_process.ExitCode} before it was ready; see {_log.Path}");
            }

            try
            {
                using var response = await http.GetAsync("/v2/health/ready", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // One probe timed out; try again.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }

        throw new BenchmarkException($"serving-runtime was not ready within {ReadyTimeout.TotalSeconds:0} s; see {_log.Path}");
    }
}
