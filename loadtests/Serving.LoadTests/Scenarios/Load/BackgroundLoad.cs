namespace Serving.LoadTests.Scenarios.Load;

/// <summary>An <see cref="OpenLoop"/> running while a scenario does other things; <see cref="StopAsync"/> ends it and waits for its answers.</summary>
internal sealed class BackgroundLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private BackgroundLoad(OpenLoop loop, CancellationToken abort)
    {
        Loop = loop;
        _loop = loop.RunAsync(_stop.Token, abort);
    }

    public OpenLoop Loop { get; }

    public static BackgroundLoad Start(LoadClient client, IReadOnlyList<LoadTarget> targets, Func<double, double> rate, CancellationToken abort, int maxInFlight = 4000) =>
        new(new OpenLoop(client, targets, rate, maxInFlight), abort);

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
