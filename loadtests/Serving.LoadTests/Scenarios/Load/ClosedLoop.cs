namespace Serving.LoadTests.Scenarios.Load;

/// <summary><paramref name="workers"/> clients each sending one request after another: how much a service answers when always busy.</summary>
internal static class ClosedLoop
{
    /// <summary>Runs for <paramref name="duration"/>; returns 2xx answers per second.</summary>
    public static async Task<double> RunAsync(LoadClient client, LoadTarget target, int workers, TimeSpan duration, CancellationToken cancellationToken)
    {
        long ok = 0;
        using var stop = new CancellationTokenSource(duration);
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await client.SendAsync(target, cancellationToken) is >= 200 and < 300)
                {
                    Interlocked.Increment(ref ok);
                }
            }
        }));
        return ok / started.Elapsed.TotalSeconds;
    }
}
