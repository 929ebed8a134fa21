using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Metrics;
using Serving.Scaler.Feed;

namespace Serving.Scaler.Aggregation;

/// <summary>
/// One revision's load summed over every gateway replica, fed every tick by <see cref="RevisionTable"/>, with KPA
/// windows (<see cref="RevisionMetrics"/>) per window length asked for by a ScaledObject. The default (60 s / 6 s)
/// windows exist from the start; others fill from the first request that names them.
/// </summary>
internal sealed class RevisionAggregate
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(TimeSpan Stable, TimeSpan Panic), Windows> _windows = [];
    private long _arrivals;
    private int _concurrency;
    private DateTimeOffset? _lastArrival;
    private DateTimeOffset? _lastActivation;
    private MetricSample? _lastSample;

    public RevisionAggregate(RevisionId id, DateTimeOffset now)
    {
        Id = id;
        LastSeen = now;
        WindowsFor(AutoscalingConfig.Default);
    }

    public RevisionId Id { get; }

    /// <summary>The last tick this revision was in some replica's report.</summary>
    public DateTimeOffset LastSeen { get; set; }

    public int Concurrency => Volatile.Read(ref _concurrency);

    /// <summary>Records a tick: requests in flight or held now, and arrivals since the previous tick.</summary>
    public void Record(DateTimeOffset now, int concurrency, long arrived, bool recentArrival = false)
    {
        lock (_lock)
        {
            _concurrency = concurrency;
            _arrivals += arrived;
            if (arrived > 0 || recentArrival)
            {
                _lastArrival = now;
            }

            var sample = new MetricSample(now, concurrency, _arrivals);
            _lastSample = sample;
            foreach (var windows in _windows.Values)
            {
                windows.Metrics.Record(sample);
            }
        }
    }

    /// <summary>
    /// A tick without reports (the feed is unreachable): the last known values stand. Each window set holds its own
    /// stable averages of concurrency and rate (<see cref="RevisionMetrics.Hold"/>), not the last point sample (at light
    /// load that is mostly 0, and the windows drifted to 0 within an outage, as if the load had stopped); and the time
    /// since the last arrival or activation does not grow while nothing can be known, so the latch neither lapses nor
    /// starts. The first read after the outage counts the outage's arrivals as recent but not as a burst (the held
    /// windows take them as a baseline).
    /// </summary>
    public void Repeat(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_lastSample is { } last && now > last.Time)
            {
                var paused = now - last.Time;
                _lastArrival += paused;
                _lastActivation += paused;
            }

            foreach (var windows in _windows.Values)
            {
                windows.Metrics.Hold(now);
            }

            _lastSample = new MetricSample(now, _concurrency, _arrivals);
        }
    }

    /// <summary>A gateway holds a request for this revision right now.</summary>
    public void Activate(DateTimeOffset now)
    {
        lock (_lock)
        {
            _lastActivation = now;
        }
    }

    /// <summary>The latch: in flight or held now, or an arrival or activation within <paramref name="grace"/>.</summary>
    public bool IsActive(DateTimeOffset now, TimeSpan grace)
    {
        lock (_lock)
        {
            return _concurrency > 0 || now - _lastArrival < grace || now - _lastActivation < grace;
        }
    }

    /// <summary>What KEDA gets for this revision: the stable (or panic) average of the metric, a total.</summary>
    public double Value(AutoscalingConfig config, double target, DateTimeOffset now)
    {
        Windows windows;
        lock (_lock)
        {
            windows = WindowsFor(config);
        }

        var snapshot = windows.Metrics.Snapshot(now);
        return windows.Panic.Value(
            snapshot.Stable(config.Metric), snapshot.Panic(config.Metric), target, config.PanicThreshold, config.StableWindow, now);
    }

    private Windows WindowsFor(AutoscalingConfig config)
    {
        var key = (config.StableWindow, config.PanicWindow);
        if (!_windows.TryGetValue(key, out var windows))
        {
            windows = new Windows(new RevisionMetrics(config.StableWindow, config.PanicWindow), new PanicLatch());
            _windows[key] = windows;

            // The rate's baseline is the arrivals counted so far: arrivals between this request and the next tick count.
            if (_lastSample is { } last)
            {
                windows.Metrics.Record(last);
            }
        }

        return windows;
    }

    private sealed record Windows(RevisionMetrics Metrics, PanicLatch Panic);
}
