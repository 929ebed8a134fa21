namespace Serving.Controller.Local.Diagnostics;

/// <summary>
/// When each <see cref="StartStep"/> of one replica's start happened, as <see cref="TimeProvider.GetTimestamp"/> values
/// of the platform's clock, so a cold start can be broken down into process start, model load, readiness detection and
/// activator release. Each step is stamped once (the first sighting wins) by whichever thread sees it; a start costs a
/// handful of writes and a ready replica nothing.
/// </summary>
public sealed class StartTimeline
{
    private static readonly int Steps = Enum.GetValues<StartStep>().Length;
    private readonly long[] _stamps = new long[Steps];
    private readonly TimeProvider _clock;

    public StartTimeline(string replica, TimeProvider clock)
    {
        Replica = replica;
        _clock = clock;
    }

    /// <summary><c>{revision}#{n}</c>, as in the logs.</summary>
    public string Replica { get; }

    /// <summary>The timestamp of <paramref name="step"/>, or null if it has not happened (yet).</summary>
    public long? At(StartStep step) => Volatile.Read(ref _stamps[(int)step]) is var stamp and not 0 ? stamp : null;

    /// <summary>Time from <paramref name="from"/> to <paramref name="to"/>, or null unless both happened.</summary>
    public TimeSpan? Between(StartStep from, StartStep to) =>
        At(from) is { } start && At(to) is { } end ? _clock.GetElapsedTime(start, end) : null;

    /// <summary>Stamps <paramref name="step"/> now unless it already has a time; true if this call stamped it.</summary>
    public bool Stamp(StartStep step) => Stamp(step, _clock.GetTimestamp());

    /// <summary>Stamps <paramref name="step"/> at <paramref name="timestamp"/> unless it already has a time.</summary>
    public bool Stamp(StartStep step, long timestamp) => Interlocked.CompareExchange(ref _stamps[(int)step], timestamp, 0) == 0;

    /// <summary>Whether <paramref name="step"/> has a time.</summary>
    public bool Has(StartStep step) => Volatile.Read(ref _stamps[(int)step]) != 0;
}
