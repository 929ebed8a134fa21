using System.Diagnostics;

namespace Serving.LoadTests.Scenarios.Load;

/// <summary>
/// Every request of a scenario, in the order they ended, on the scenario's clock. Reports and plots aggregate it
/// afterwards (per second, per phase), so nothing is decided while the load runs.
/// </summary>
internal sealed class RequestLog(Stopwatch clock)
{
    private readonly Lock _lock = new();
    private readonly List<RequestRecord> _records = new(1 << 16);
    private long _inFlight;

    public Stopwatch Clock { get; } = clock;

    public long NowUs => Clock.ElapsedTicks * 1_000_000 / Stopwatch.Frequency;

    /// <summary>Requests sent and not answered yet.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    public long Started()
    {
        Interlocked.Increment(ref _inFlight);
        return NowUs;
    }

    public void Ended(long startUs, short status, short tag = 0)
    {
        Interlocked.Decrement(ref _inFlight);
        long latency = Math.Max(0, NowUs - startUs);
        Add(new RequestRecord(startUs, (int)Math.Min(latency, int.MaxValue), status, tag));
    }

    /// <summary>A request that was never sent (the open loop's bound); it counts as lost.</summary>
    public void NotSent(long atUs) => Add(new RequestRecord(atUs, 0, Outcome.NotSent, 0));

    public IReadOnlyList<RequestRecord> Snapshot()
    {
        lock (_lock)
        {
            return [.. _records];
        }
    }

    private void Add(RequestRecord record)
    {
        lock (_lock)
        {
            _records.Add(record);
        }
    }
}
