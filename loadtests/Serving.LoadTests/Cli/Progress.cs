using System.Diagnostics;

namespace Serving.LoadTests.Cli;

/// <summary>Progress lines on stderr, stamped with the time since start, so that stdout stays free for results.</summary>
internal sealed class Progress
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Write(string message) => Console.Error.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");
}
