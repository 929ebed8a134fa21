using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Windows;

namespace Serving.Autoscaling.Metrics;

/// <summary>
/// One revision's samples, kept in one-second buckets over the stable window: concurrency as the mean of the samples in
/// a bucket, arrivals as a rate spread over the time between readings. Safe to record and read from different threads
/// (a sampler every ~100 ms, decisions and scaler calls in between; nothing here is a per-request path).
/// </summary>
public sealed class RevisionMetrics
{
    private readonly Lock _lock = new();
    private readonly BucketedWindow _concurrency;
    private readonly BucketedWindow _rps;
    private readonly int _stableBuckets;
    private readonly int _panicBuckets;
    private readonly TimeSpan _stableWindow;
    private MetricSample? _last;
    private long _countedArrivals;
    private DateTimeOffset _countedAt;
    private DateTimeOffset? _lastArrival;
    private bool _rebase; // held since the last reading: the next one's count is a baseline

    public RevisionMetrics(AutoscalingConfig config)
        : this(config?.StableWindow ?? throw new ArgumentNullException(nameof(config)), config.PanicWindow)
    {
    }

    public RevisionMetrics(TimeSpan stableWindow, TimeSpan panicWindow)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(panicWindow, stableWindow);
        _stableWindow = stableWindow;
        _concurrency = new BucketedWindow(stableWindow, AutoscalingConfig.BucketSize);
        _rps = new BucketedWindow(stableWindow, AutoscalingConfig.BucketSize);
        _stableBuckets = _concurrency.Capacity;
        _panicBuckets = _concurrency.BucketsFor(panicWindow);
    }

    /// <summary>
    /// Adds a reading. Readings must come in time order; one older than the newest is ignored (returns false).
    /// A total arrival count that goes down (a gateway replica left or restarted) counts no arrivals for that interval.
    /// </summary>
    public bool Record(MetricSample sample)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sample.Concurrency);
        if (!double.IsFinite(sample.Concurrency))
        {
            throw new ArgumentOutOfRangeException(nameof(sample), sample.Concurrency, "concurrency must be finite");
        }

        lock (_lock)
        {
            if (_last is { } last && sample.Time < last.Time)
            {
                return false;
            }

            _concurrency.Add(sample.Time, sample.Concurrency);

            // Arrivals before the first reading have no known time: take them as recent, so that a scaler that
            // restarts never sees a busy revision as idle (they only set the baseline of the rate).
            if (sample.Arrivals > (_last?.Arrivals ?? 0))
            {
                _lastArrival = sample.Time;
            }

            if (_last is null || _rebase)
            {
                // The first reading, or the first after a hold: the arrivals since the last one have no known time
                // (counting them in this one interval would read as a burst), so they only set the baseline.
                (_countedArrivals, _countedAt) = (sample.Arrivals, sample.Time);
                _rebase = false;
            }
            else if (sample.Arrivals < _countedArrivals)
            {
                _rps.AddSpan(_countedAt, sample.Time, 0);
                (_countedArrivals, _countedAt) = (sample.Arrivals, sample.Time);
            }
            else if (sample.Time > _countedAt)
            {
                long arrived = sample.Arrivals - _countedArrivals;
                _rps.AddSpan(_countedAt, sample.Time, arrived / (sample.Time - _countedAt).TotalSeconds);
                (_countedArrivals, _countedAt) = (sample.Arrivals, sample.Time);
            }

            // Otherwise the reading is at the same instant as the baseline: no time to divide by, so its count joins
            // the next interval.
            _last = sample;
            return true;
        }
    }

    /// <summary>
    /// A tick with no reading (the source is unreachable): concurrency and the rate each get their stable average again,
    /// so both stay where they were instead of drifting to 0 as if the load had stopped (the panic averages move toward
    /// them). The next reading is a baseline for the rate, as the first is: the arrivals of the hold have no known time.
    /// Nothing happens before the first reading or at a time not after the newest.
    /// </summary>
    public void Hold(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_last is not { } last || now <= last.Time)
            {
                return;
            }

            double concurrency = _concurrency.Average(now, _stableBuckets);
            double rps = _rps.Average(now, _stableBuckets);
            _concurrency.Add(now, concurrency);
            _rps.AddSpan(_countedAt, now, rps); // the baseline is never after the newest reading
            _countedAt = now;
            _rebase = true;

            _last = new MetricSample(now, concurrency, last.Arrivals);
        }
    }

    /// <summary>The windowed values at <paramref name="now"/>.</summary>
    public MetricSnapshot Snapshot(DateTimeOffset now)
    {
        lock (_lock)
        {
            // The newest reading stands for "now" until it has aged out of the stable window like any other sample.
            double current = _last is { } last && now - last.Time < _stableWindow ? last.Concurrency : 0;
            return new MetricSnapshot(
                now,
                StableConcurrency: _concurrency.Average(now, _stableBuckets),
                PanicConcurrency: _concurrency.Average(now, _panicBuckets),
                StableRps: _rps.Average(now, _stableBuckets),
                PanicRps: _rps.Average(now, _panicBuckets),
                CurrentConcurrency: current,
                LastArrival: _lastArrival);
        }
    }
}
