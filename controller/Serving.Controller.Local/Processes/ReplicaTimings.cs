namespace Serving.Controller.Local.Processes;

/// <summary>
/// Readiness probing as Kubernetes does it: a startup probe while a replica starts (a short period, so that a cold start
/// is not delayed; only the start deadline as a whole fails it), then a readiness probe (a period, a timeout per probe,
/// a failure threshold: a replica that stops answering leaves routing, and comes back when it answers again).
/// </summary>
public sealed record ProbeSettings
{
    /// <summary>How often a starting replica is probed.</summary>
    public TimeSpan StartupPeriod { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How often a ready replica is probed (Kubernetes' default is 10 s).</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one probe may take (Kubernetes' default, 1 s); a slower answer is a failed probe, never a failed start.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Failed probes in a row that take a ready replica out of routing (Kubernetes' default, 3).</summary>
    public int FailureThreshold { get; init; } = 3;

    /// <summary>How long a replica may take to become ready; past it the start failed, and it is killed and retried.</summary>
    public TimeSpan StartDeadline { get; init; } = TimeSpan.FromSeconds(120);
}

/// <summary>How long things may take on this machine; tests shorten them.</summary>
public sealed record ReplicaTimings
{
    public ProbeSettings Probes { get; init; } = new();

    /// <summary>How long a replica taken out of routing may take to finish its requests before SIGTERM.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long after SIGTERM before a replica is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait before a failed start or a crashed replica is tried again, doubled per failure in a row (the kubelet's CrashLoopBackOff: 10 s).</summary>
    public TimeSpan RestartBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between restarts (the kubelet's: 5 min).</summary>
    public TimeSpan MaxRestartBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A replica that stayed up this long starts the backoff over when it fails (the kubelet: 10 min).</summary>
    public TimeSpan BackoffReset { get; init; } = TimeSpan.FromMinutes(10);
}
