using System.Diagnostics;
using System.Text;
using Serving.TestCluster.Processes;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>A real <c>serving-controller</c> process on a test cluster, its output kept; it dies with the test process.</summary>
internal sealed class ControllerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ControllerProcess(Process process, string identity)
    {
        _process = process;
        Identity = identity;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Identity { get; }

    public bool Exited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="leaseName">With leader election, the Lease the replicas share (in <paramref name="leaseNamespace"/>).</param>
    public static Task<ControllerProcess> StartAsync(string kubeconfig, string identity, string? leaseName = null, params string[] extra) =>
        StartAsync(kubeconfig, identity, leaseName, "default", extra);

    public static async Task<ControllerProcess> StartAsync(string kubeconfig, string identity, string? leaseName, string leaseNamespace, params string[] extra)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])
        [
            Path.Combine(AppContext.BaseDirectory, "serving-controller.dll"), "--kubeconfig", kubeconfig, "--identity", identity, "--health-port", "0",
            "--scaler-address", "127.0.0.1:9090", "--log-level", "Debug", "--retire-grace-s", "2",
            .. leaseName is null
                ? (string[])["--leader-elect", "false"]
                : ["--leader-elect", "true", "--lease-namespace", leaseNamespace, "--lease-name", leaseName, "--lease-duration-s", "6", "--renew-deadline-s", "4", "--retry-period-s", "1"],
            .. extra,
        ])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var variable in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            info.Environment[variable] = Environment.GetEnvironmentVariable(variable);
        }

        return new ControllerProcess(await ProcessLauncher.StartAsync(info), identity);
    }

    /// <summary>SIGKILL, as a node that dies would end it: no chance to clean up.</summary>
    public async Task KillAsync()
    {
        Signals.SendToGroup(_process.Id, Signals.Kill);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signals.SendToGroup(_process.Id, Signals.Term);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Signals.SendToGroup(_process.Id, Signals.Kill);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
