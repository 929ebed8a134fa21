using System.Security.Cryptography.X509Certificates;

namespace Serving.TestCluster.Keda;

/// <summary>
/// The cluster-level settings KEDA's operator and kube-controller-manager's HPA controller run with. Defaults are theirs;
/// tests may shorten the waits, as a cluster's flags would.
/// </summary>
public sealed record KedaStandInOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>kube-controller-manager <c>--horizontal-pod-autoscaler-sync-period</c>: how often the HPA reads the metrics.</summary>
    public TimeSpan HpaSyncPeriod { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary><c>--horizontal-pod-autoscaler-tolerance</c>: ratios within it of 1 change nothing.</summary>
    public double HpaTolerance { get; init; } = 0.1;

    /// <summary>
    /// <c>--horizontal-pod-autoscaler-downscale-stabilization</c>: the scale-down window of an HPA whose ScaledObject sets no
    /// <c>behavior</c> (and the default of <c>scaleDown.stabilizationWindowSeconds</c> where it sets one).
    /// </summary>
    public TimeSpan DownscaleStabilization { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>controller-runtime's per-object retry of a failed reconcile: 5 ms doubling to 1000 s.</summary>
    public TimeSpan ReconcileRetryBase { get; init; } = TimeSpan.FromMilliseconds(5);

    public TimeSpan ReconcileRetryCap { get; init; } = TimeSpan.FromSeconds(1000);

    /// <summary>KEDA's <c>external-push</c> reconnect: 2 s, doubled after every ending but a clean one (EOF), at most 1 min.</summary>
    public TimeSpan PushRetryInitial { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan PushRetryCap { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The CAs KEDA's operator already trusts (its image's and the system's): a scaler's certificate signed by one is
    /// accepted with <c>enableTLS</c> alone, no <c>caCert</c>. The system's roots are trusted as well.
    /// </summary>
    public IReadOnlyList<X509Certificate2> TrustedCertificates { get; init; } = [];
}
