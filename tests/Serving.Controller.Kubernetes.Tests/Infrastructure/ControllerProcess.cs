namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>A real <c>serving-controller</c> process on a test cluster, its output kept; it dies with the test process.</summary>
internal sealed class ControllerProcess : IAsyncDisposable
{
    private readonly DotnetProcess _process;

    private ControllerProcess(DotnetProcess process, string identity)
    {
        _process = process;
        Identity = identity;
    }

    public string Identity { get; }

    public bool Exited => _process.Exited;

    public int? ExitCode => _process.ExitCode;

    public string Output => _process.Output;

    /// <param name="leaseName">With leader election, the Lease (in <c>default</c>) the replicas share.</param>
    /// <param name="scalerAddress">What the ScaledObjects' triggers name as <c>scalerAddress</c>.</param>
    public static async Task<ControllerProcess> StartAsync(
        string kubeconfig, string identity, string? leaseName = null, string scalerAddress = "127.0.0.1:9090", params string[] extra) =>
        new(await DotnetProcess.StartAsync("serving-controller.dll",
        [
            "--kubeconfig", kubeconfig, "--identity", identity, "--health-port", "0",
            "--scaler-address", scalerAddress, "--log-level", "Debug", "--retire-grace-s", "2",
            .. leaseName is null
                ? (string[])["--leader-elect", "false"]
                : ["--leader-elect", "true", "--lease-namespace", "default", "--lease-name", leaseName, "--lease-duration-s", "6", "--renew-deadline-s", "4", "--retry-period-s", "1"],
            .. extra,
        ]), identity);

    /// <summary>SIGKILL, as a node that dies would end it: no chance to clean up.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
