using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>The real serving-runtime executable, started as a child process on a free loopback port.</summary>
internal sealed partial class RuntimeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RuntimeProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepoPaths.RuntimeDll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _errors.Enqueue(e.Data);
            }

            OnLine(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _output);

    /// <summary>What the process wrote to stderr, line by line.</summary>
    public IReadOnlyList<string> ErrorLines => [.. _errors];

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static RuntimeProcess Start(params string[] args) => new(["--http-port", "0", "--device", "cpu", .. args]);

    public static RuntimeProcess StartRaw(params string[] args) => new(args);

    public static RuntimeProcess StartRaw(IReadOnlyDictionary<string, string> environment, params string[] args) => new(args, environment);

    /// <summary>Runs a command that ends by itself (the download mode): its exit code and its stderr lines.</summary>
    public static async Task<(int Code, IReadOnlyList<string> Errors)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        await using var process = new RuntimeProcess(args, environment);
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.ErrorLines);
    }

    /// <summary>The listening address, read from the startup log.</summary>
    public async Task<Uri> AddressAsync()
    {
        var done = await Task.WhenAny(_address.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)));
        return done == _address.Task ? _address.Task.Result : throw new InvalidOperationException("runtime did not start:\n" + Output);
    }

    public async Task<HttpClient> ReadyClientAsync()
    {
        var client = new HttpClient { BaseAddress = await AddressAsync(), Timeout = TimeSpan.FromSeconds(30) };
        for (int i = 0; i < 300; i++)
        {
            using var response = await client.GetAsync("/v2/health/ready");
            if (response.IsSuccessStatusCode)
            {
                return client;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("runtime never became ready:\n" + Output);
    }

    /// <summary>SIGTERM, as Kubernetes and the local backend stop a replica.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _address.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
