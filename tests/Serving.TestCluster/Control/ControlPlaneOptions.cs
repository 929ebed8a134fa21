namespace Serving.TestCluster.Control;

/// <summary>How <see cref="ControlPlane.StartAsync"/> starts a control plane.</summary>
public sealed record ControlPlaneOptions
{
    /// <summary><c>RBAC</c> (the default, as on real clusters) or <c>AlwaysAllow</c>.</summary>
    public string AuthorizationMode { get; init; } = "RBAC";

    /// <summary>
    /// Keep the folder (certificates, etcd data, component logs) after disposal, for a post-mortem. Also on when the
    /// environment variable <c>SERVING_KEEP_KUBE_DIR</c> is set.
    /// </summary>
    public bool KeepDirectory { get; init; }

    /// <summary>How long the start may take before it counts as failed.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
