using System.Globalization;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Server;

namespace Serving.LoadTests.Wrk;

/// <summary>Runs the <c>wrk</c> binary with <c>post.lua</c> for one <see cref="WrkRequest"/> and reads its result line.</summary>
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
            throw new BenchmarkException("wrk is not installed (Debian package 'wrk'; the loadtests/run-*-bench.sh scripts install it)", e);
        }
    }

    public int ThreadsFor(int connections) =>
        _threadsOption > 0 ? Math.Min(_threadsOption, connections) : Math.Max(1, connections / 16);

    /// <summary>The command line as the report shows it.</summary>
    public string Describe(int connections, TimeSpan duration, WrkRequest request) =>
        string.Join(' ', Arguments(connections, duration, request).Prepend(Executable)
            .Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));

    public async Task<(WrkResult? Result, string Output)> RunAsync(
        int connections, TimeSpan duration, WrkRequest request, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await ExecAsync(
            Arguments(connections, duration, request), duration + TimeSpan.FromSeconds(60), cancellationToken);
        return (exitCode == 0 ? WrkResult.FromOutput(output) : null, output);
    }

    private List<string> Arguments(int connections, TimeSpan duration, WrkRequest request)
    {
        var args = new List<string>
        {
            "-t", ThreadsFor(connections).ToString(CultureInfo.InvariantCulture),
            "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{Math.Max(1, (int)Math.Round(duration.TotalSeconds))}s",
            "--timeout", "30s",
            "-s", _script,
        };
        foreach (string header in request.Headers ?? [])
        {
            args.Add("-H");
            args.Add(header);
        }

        args.AddRange([request.Url, "--", request.BodyPath, request.ContentType]);
        if (request.InferenceHeaderLength is { } n)
        {
            args.Add(n.ToString(CultureInfo.InvariantCulture));
        }

        return args;
    }

    private static Task<(int ExitCode, string Output)> ExecAsync(
        IEnumerable<string> args, TimeSpan limit, CancellationToken cancellationToken) =>
        ShortCommand.RunAsync(new ProcessSpec("wrk", Executable, [.. args]), limit, cancellationToken);
}
