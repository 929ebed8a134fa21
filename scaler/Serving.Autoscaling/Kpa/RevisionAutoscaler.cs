using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Metrics;

namespace Serving.Autoscaling.Kpa;

/// <summary>
/// One revision's metrics and KPA state on a clock: what the local mode drives replica counts with. Record the
/// gateway's totals every ~100 ms; call <see cref="Decide"/> on a tick and at once when a request finds no replica.
/// </summary>
public sealed class RevisionAutoscaler
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private ScalerState _state = ScalerState.Initial;

    public RevisionAutoscaler(AutoscalingConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        Config = config;
        Metrics = new RevisionMetrics(config);
        _time = time;
    }

    public AutoscalingConfig Config { get; }

    public RevisionMetrics Metrics { get; }

    public ScalerState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Records the revision's totals now: requests in flight or held, and arrivals so far.</summary>
    public bool Record(double concurrency, long arrivals) => Metrics.Record(new MetricSample(_time.GetUtcNow(), concurrency, arrivals));

    /// <summary>Decides the replica count now, given how many replicas are ready.</summary>
    public ScaleDecision Decide(int readyReplicas)
    {
        lock (_lock)
        {
            var decision = KpaDecider.Decide(Config, _state, Metrics.Snapshot(_time.GetUtcNow()), readyReplicas);
            _state = decision.State;
            return decision;
        }
    }

    public MetricSnapshot Snapshot() => Metrics.Snapshot(_time.GetUtcNow());

    /// <summary>The activity latch now (see <see cref="MetricSnapshot.IsActive"/>).</summary>
    public bool IsActive() => Snapshot().IsActive(Config.ScaleToZeroGracePeriod);
}
