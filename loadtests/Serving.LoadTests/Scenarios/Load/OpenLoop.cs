namespace Serving.LoadTests.Scenarios.Load;

/// <summary>
/// An open loop: requests leave at the scheduled rate whether or not earlier ones were answered (as users arrive),
/// spread over the targets in turn. The rate is a function of the seconds since the loop started, so a scenario can
/// step it. At most <paramref name="maxInFlight"/> requests are out at once: past that a request is recorded as not
/// sent, so a stalled platform cannot make the client grow without bound.
/// </summary>
internal sealed class OpenLoop(LoadClient client, IReadOnlyList<LoadTarget> targets, Func<double, double> rate, int maxInFlight = 4000)
{
    private readonly List<Task> _pending = [];
    private long _sent;

    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>The time the rate was integrated over: from the start to the loop's last tick before it stopped.</summary>
    public TimeSpan Ran { get; private set; }

    /// <summary>Runs until <paramref name="stop"/> fires, then waits for the requests still out (their answers count).</summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken abort)
    {
        var log = client.Log;
        long started = log.NowUs;
        double due = 0; // requests owed so far by the integral of the rate
        long lastUs = started;
        int next = 0;
        while (!stop.IsCancellationRequested)
        {
            long now = log.NowUs;
            due += rate((now - started) / 1e6) * (now - lastUs) / 1e6;
            lastUs = now;
            while (due >= 1)
            {
                due -= 1;
                if (log.InFlight >= maxInFlight)
                {
                    log.NotSent(now);
                    continue;
                }

                Interlocked.Increment(ref _sent);
                var target = targets[next++ % targets.Count];
                var task = client.SendAsync(target, abort);
                lock (_pending)
                {
                    _pending.Add(task);
                }
            }

            try
            {
                await Task.Delay(1, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }

            if (_pending.Count > 4096)
            {
                lock (_pending)
                {
                    _pending.RemoveAll(t => t.IsCompleted);
                }
            }
        }

        Ran = TimeSpan.FromMicroseconds(lastUs - started);
        Task[] left;
        lock (_pending)
        {
            left = [.. _pending];
        }

        await Task.WhenAll(left).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        abort.ThrowIfCancellationRequested();
    }
}
