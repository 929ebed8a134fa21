namespace Serving.Autoscaling.Configuration;

/// <summary>
/// How one revision scales. Defaults are Knative's (<c>config/core/configmaps/autoscaler.yaml</c>,
/// <c>pkg/autoscaler/config/config.go</c>; see <c>reference/autoscaling.md</c> §3.4). Build it with
/// <see cref="AutoscalingConfigParser"/> to get the values validated.
/// </summary>
public sealed record AutoscalingConfig
{
    /// <summary>Knative's bucket size: samples are averaged per second before windows average the buckets.</summary>
    public static readonly TimeSpan BucketSize = TimeSpan.FromSeconds(1);

    public static AutoscalingConfig Default { get; } = new();

    public ScaleMetric Metric { get; init; } = ScaleMetric.Concurrency;

    /// <summary>
    /// Per-replica target before utilisation (<c>scaleTarget</c>, <c>autoscaling.knative.dev/target</c>); null = the
    /// cluster default for the metric.
    /// </summary>
    public double? Target { get; init; }

    /// <summary><c>containerConcurrency</c>: a hard limit that also caps a concurrency target; 0 = none.</summary>
    public int ContainerConcurrency { get; init; }

    /// <summary><c>container-concurrency-target-default</c>: the concurrency target when neither a target nor a limit is set.</summary>
    public double ContainerConcurrencyTargetDefault { get; init; } = 100;

    /// <summary><c>requests-per-second-target-default</c>.</summary>
    public double RequestsPerSecondTargetDefault { get; init; } = 200;

    /// <summary>
    /// <c>container-concurrency-target-percentage</c> / <c>target-utilization-percentage</c>: replicas are sized to
    /// run at this share of the target, leaving headroom for bursts. Knative applies it to rps too.
    /// </summary>
    public double TargetUtilizationPercentage { get; init; } = 70;

    /// <summary><c>stable-window</c> / <c>window</c>.</summary>
    public TimeSpan StableWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>panic-window-percentage</c>: the panic window as a share of the stable window.</summary>
    public double PanicWindowPercentage { get; init; } = 10;

    /// <summary><c>panic-threshold-percentage</c>: panic when the panic window wants this share of the ready replicas.</summary>
    public double PanicThresholdPercentage { get; init; } = 200;

    /// <summary><c>max-scale-up-rate</c>: at most this many times the ready replicas in one decision.</summary>
    public double MaxScaleUpRate { get; init; } = 1000;

    /// <summary><c>max-scale-down-rate</c>: at least the ready replicas divided by this, in one decision.</summary>
    public double MaxScaleDownRate { get; init; } = 2;

    /// <summary><c>scale-to-zero-grace-period</c>: how long a revision must stay unwanted before its last replica goes.</summary>
    public TimeSpan ScaleToZeroGracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>scale-to-zero-pod-retention-period</c>: a floor on the same wait, set per revision.</summary>
    public TimeSpan ScaleToZeroPodRetentionPeriod { get; init; } = TimeSpan.Zero;

    /// <summary><c>min-scale</c>.</summary>
    public int MinScale { get; init; }

    /// <summary><c>max-scale</c>; 0 = unbounded.</summary>
    public int MaxScale { get; init; }

    /// <summary><c>initial-scale</c>: replicas a new revision gets before its metrics decide.</summary>
    public int InitialScale { get; init; } = 1;

    /// <summary><c>activation-scale</c>: the fewest replicas whenever there are any; 1 = no floor.</summary>
    public int ActivationScale { get; init; } = 1;

    /// <summary>The target before utilisation: the configured one (capped by the hard limit), else the default.</summary>
    public double TotalTarget => Metric switch
    {
        ScaleMetric.Rps => Target ?? RequestsPerSecondTargetDefault,
        _ when Target is { } t => ContainerConcurrency > 0 ? Math.Min(t, ContainerConcurrency) : t,
        _ => ContainerConcurrency > 0 ? ContainerConcurrency : ContainerConcurrencyTargetDefault,
    };

    /// <summary>What one replica is sized for: <see cref="TotalTarget"/> x utilisation, never below Knative's 0.01.</summary>
    public double TargetPerReplica => Math.Max(0.01, TotalTarget * TargetUtilizationPercentage / 100);

    /// <summary>The panic window: a share of the stable window, at least one bucket.</summary>
    public TimeSpan PanicWindow
    {
        get
        {
            var window = StableWindow * (PanicWindowPercentage / 100);
            return window < BucketSize ? BucketSize : window;
        }
    }

    /// <summary>The panic threshold as a ratio (2.0 for 200%).</summary>
    public double PanicThreshold => PanicThresholdPercentage / 100;

    /// <summary>How long an unwanted revision keeps its last replica: the longer of the grace and retention periods.</summary>
    public TimeSpan ScaleToZeroDelay =>
        ScaleToZeroGracePeriod > ScaleToZeroPodRetentionPeriod ? ScaleToZeroGracePeriod : ScaleToZeroPodRetentionPeriod;
}
