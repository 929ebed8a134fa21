using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Serving.Scaler.Tests.Infrastructure;

/// <summary>A real <c>serving-gateway</c> process serving one revision from a routes file, publishing to Redis.</summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private GatewayProcess(Process process, string dir, Uri inference)
    {
        _process = process;
        _dir = dir;
        Inference = inference;
    }

    public Uri Inference { get; }

    public static async Task<GatewayProcess> StartAsync(string service, string revision, string backend, string redis, string prefix)
    {
        string dir = Directory.CreateTempSubdirectory("scaler-gateway").FullName;
        string routes = Path.Combine(dir, "routes.json");
        await File.WriteAllTextAsync(routes, """
            [{"namespace":"default","name":"SERVICE","components":{"predictor":{
              "traffic":[{"revision":"REVISION","percent":100}],
              "revisions":[{"name":"REVISION","containerConcurrency":0,"endpoints":[{"address":"BACKEND","ready":true}]}]}}}]
            """.Replace("SERVICE", service, StringComparison.Ordinal).Replace("REVISION", revision, StringComparison.Ordinal)
            .Replace("BACKEND", backend, StringComparison.Ordinal));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "serving-gateway.dll"), "--port", "0", "--admin-port", "0", "--routes", routes, "--redis", redis, "--redis-prefix", prefix })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return new GatewayProcess(process, dir, new Uri(match.Groups[1].Value));
            }
        }

        throw new InvalidOperationException("serving-gateway exited before listening");
    }

    /// <summary>Kills the process at once (SIGKILL): no goodbye to Redis, its report simply stops being renewed.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
