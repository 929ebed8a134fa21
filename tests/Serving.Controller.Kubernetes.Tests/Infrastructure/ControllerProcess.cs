using System.Diagnostics;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>A real <c>serving-controller</c> process on a test cluster.</summary>
internal sealed class ControllerProcess : ServingProcess
{
    private ControllerProcess(Process process, string identity)
        : base(process) => Identity = identity;

    public string Identity { get; }

    /// <param name="leaseName">With leader election, the Lease the replicas share (in <paramref name="leaseNamespace"/>); null: no election.</param>
    /// <param name="scalerAddress">What the ScaledObjects' triggers name as <c>scalerAddress</c>.</param>
    /// <param name="extraArgs">More options (e.g. <c>--scaler-tls true</c>).</param>
    public static async Task<ControllerProcess> StartAsync(
        string kubeconfig, string identity, string? leaseName = null, string leaseNamespace = "default", string scalerAddress = "127.0.0.1:9090",
        IReadOnlyList<string>? extraArgs = null) =>
        new(await LaunchAsync("serving-controller.dll",
        [
            "--kubeconfig", kubeconfig, "--identity", identity, "--health-port", "0",
            "--scaler-address", scalerAddress, "--log-level", "Debug", "--retire-grace-s", "2",
            .. leaseName is null
                ? (string[])["--leader-elect", "false"]
                : ["--leader-elect", "true", "--lease-namespace", leaseNamespace, "--lease-name", leaseName, "--lease-duration-s", "6", "--renew-deadline-s", "4", "--retry-period-s", "1"],
            .. extraArgs ?? [],
        ]), identity);
}
