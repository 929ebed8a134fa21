namespace Serving.Autoscaling.Windows;

/// <summary>
/// Samples kept in fixed time buckets over a bounded span, averaged as Knative's autoscaler does: the mean, over a
/// window, of per-bucket values, where a bucket that saw no sample counts as zero. A longer and a shorter window
/// (stable and panic) read the same buckets. Not thread-safe: its owner serialises access.
/// </summary>
internal sealed class BucketedWindow
{
    private const long None = long.MinValue;

    private readonly long _granularity;
    private readonly double[] _weighted; // sum of value x weight per bucket
    private readonly double[] _weights;  // sum of weights per bucket; 0 = no sample
    private long _first = None;          // oldest bucket ever written: averages never reach before the data began
    private long _newest = None;

    public BucketedWindow(TimeSpan span, TimeSpan granularity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(granularity, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(span, granularity);
        _granularity = granularity.Ticks;
        int capacity = BucketsFor(span);
        _weighted = new double[capacity];
        _weights = new double[capacity];
    }

    /// <summary>How many buckets the window keeps; older ones expire.</summary>
    public int Capacity => _weights.Length;

    /// <summary>Buckets a window of this length covers (at least one).</summary>
    public int BucketsFor(TimeSpan window) => (int)Math.Max(1, (window.Ticks + _granularity - 1) / _granularity);

    /// <summary>A point sample (a gauge such as concurrency): a bucket's value is the mean of its samples.</summary>
    public void Add(DateTimeOffset time, double value) => Add(Index(time.UtcTicks), value, 1);

    /// <summary>
    /// A rate that held over [from, to), such as arrivals per second between two counter readings. Each bucket it
    /// overlaps gets the rate weighted by the overlap, so a bucket's value is the rate over the part of it that was
    /// observed, and a long interval between readings is spread over the seconds it covers instead of piling up in one.
    /// </summary>
    public void AddSpan(DateTimeOffset from, DateTimeOffset to, double rate)
    {
        long lo = from.UtcTicks;
        long hi = to.UtcTicks;
        if (hi <= lo)
        {
            return;
        }

        long last = Index(hi - 1);
        for (long b = Math.Max(Index(lo), last - Capacity + 1); b <= last; b++)
        {
            long overlap = Math.Min(hi, (b + 1) * _granularity) - Math.Max(lo, b * _granularity);
            Add(b, rate, overlap / (double)_granularity);
        }
    }

    /// <summary>
    /// The average over the <paramref name="buckets"/> buckets that end at <paramref name="now"/>. The bucket
    /// <paramref name="now"/> falls in counts once it has a sample (before that it is still filling, not idle), and the
    /// window never reaches before the first sample, so a young window is not diluted by time nobody observed.
    /// </summary>
    public double Average(DateTimeOffset now, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buckets, Capacity);
        if (_newest == None)
        {
            return 0;
        }

        long end = Index(now.UtcTicks);
        if (!HasSample(end))
        {
            end--;
        }

        long from = Math.Max(end - buckets + 1, _first);
        if (end < from)
        {
            return 0;
        }

        double sum = 0;
        for (long b = Math.Max(from, _newest - Capacity + 1); b <= Math.Min(end, _newest); b++)
        {
            sum += Value(b);
        }

        return sum / (end - from + 1);
    }

    private long Index(long ticks) => ticks / _granularity;

    private int Slot(long bucket) => (int)(bucket % Capacity);

    private bool IsKept(long bucket) => _newest != None && bucket <= _newest && bucket > _newest - Capacity;

    private bool HasSample(long bucket) => IsKept(bucket) && _weights[Slot(bucket)] > 0;

    private double Value(long bucket)
    {
        int slot = Slot(bucket);
        return _weights[slot] > 0 ? _weighted[slot] / _weights[slot] : 0;
    }

    private void Add(long bucket, double value, double weight)
    {
        if (_newest == None)
        {
            _first = bucket;
            _newest = bucket;
        }
        else if (bucket > _newest)
        {
            // Buckets skipped since the newest write saw no sample; they read as zero from now on.
            for (long b = Math.Max(_newest + 1, bucket - Capacity + 1); b <= bucket; b++)
            {
                _weighted[Slot(b)] = 0;
                _weights[Slot(b)] = 0;
            }

            _newest = bucket;
        }
        else if (bucket <= _newest - Capacity)
        {
            return; // older than anything the window still keeps
        }

        _first = Math.Min(_first, bucket);
        int slot = Slot(bucket);
        _weighted[slot] += value * weight;
        _weights[slot] += weight;
    }
}
