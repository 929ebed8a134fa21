using System.Runtime.InteropServices;

namespace Serving.TestCluster.Hosting;

/// <summary>Cancelled by SIGTERM or SIGINT (Ctrl+C), for a stand-in that runs as its own process.</summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;

    public StopSignal()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>Until the signal comes or <paramref name="completion"/> ends; 1 when it faulted, else 0.</summary>
    public async Task<int> RunUntilAsync(Task completion)
    {
        await Task.WhenAny(completion, Task.Delay(Timeout.InfiniteTimeSpan, _stop.Token)).ConfigureAwait(false);
        return completion.IsFaulted ? 1 : 0;
    }

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _stop.Dispose();
    }

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }
}
