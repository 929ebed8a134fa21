using System.Diagnostics;
using System.Globalization;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Payloads;

namespace Serving.LoadTests.Wrk;

/// <summary>Runs the <c>wrk</c> binary with <c>post.lua</c> against one URL and reads its result line.</summary>
internal sealed class WrkRunner
{
    public const string Executable = "wrk";

    private readonly string _script = Path.Combine(AppContext.BaseDirectory, "Wrk", "post.lua");
    private readonly int _threadsOption;

    public WrkRunner(int threadsOption)
    {
        _threadsOption = threadsOption;
        if (!File.Exists(_script))
        {
            throw new BenchmarkException($"{_script} is missing from the build output");
        }
    }

    /// <summary>wrk's own version line, or a <see cref="BenchmarkException"/> when it is not installed.</summary>
    public static async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (_, output) = await ExecAsync(["-v"], TimeSpan.FromSeconds(10), cancellationToken);
            return output.Split('\n')[0].Trim();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new BenchmarkException("wrk is not installed (Debian package 'wrk'; loadtests/run-runtime-bench.sh installs it)", e);
        }
    }

    public int ThreadsFor(int connections) =>
        _threadsOption > 0 ? Math.Min(_threadsOption, connections) : Math.Max(1, connections / 16);

    /// <summary>The command line as the report shows it.</summary>
    public string Describe(int connections, TimeSpan duration, string url, InferPayload payload) =>
        string.Join(' ', Arguments(connections, duration, url, payload).Prepend(Executable)
            .Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));

    public async Task<(WrkResult? Result, string Output)> RunAsync(
        int connections, TimeSpan duration, string url, InferPayload payload, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ExecAsync(
            Arguments(connections, duration, url, payload), duration + TimeSpan.FromSeconds(60), cancellationToken);
        return (exitCode == 0 ? WrkResult.FromOutput(output) : null, output);
    }

    private List<string> Arguments(int connections, TimeSpan duration, string url, InferPayload payload)
    {
        var args = new List<string>
        {
            "-t", ThreadsFor(connections).ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{Math.Max(1, (int)Math.Round(duration.TotalSeconds))}s",
            "--timeout", "30s",
            "-s", _script,
            url,
            "--",
            payload.BodyPath,
            payload.ContentType,
        };
        if (payload.HeaderLength is { } n)
        {
            args.Add(n.ToString(CultureInfo.InvariantCulture));
        }

        return args;
    }

    private static async Task<(int ExitCode, string Output)> ExecAsync(
        IEnumerable<string> args, TimeSpan limit, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (-1, $"wrk did not finish within {limit.TotalSeconds:0} s");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
