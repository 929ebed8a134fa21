using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using k8s.Models;
using Serving.TestCluster.Containers;
using Serving.TestCluster.Processes;

namespace Serving.TestCluster.Probes;

/// <summary>
/// One probe attempt as the kubelet makes it: httpGet succeeds on a status from 200 to 399, tcpSocket on a
/// connection, exec on exit code 0 (run locally, with the container's environment and mount paths).
/// </summary>
internal static class ProbeChecks
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public static Func<CancellationToken, Task<bool>> For(V1Probe probe, V1Container container, PodContext pod, LaunchSpec launch)
    {
        if (probe.HttpGet is { } http)
        {
            var uri = new UriBuilder(
                (http.Scheme ?? "HTTP").ToLowerInvariant(),
                string.IsNullOrEmpty(http.Host) ? pod.PodIP : http.Host,
                Port(http.Port, container)).Uri;
            uri = new Uri(uri, http.Path ?? "/");
            return ct => HttpAsync(uri, http.HttpHeaders, ct);
        }

        if (probe.TcpSocket is { } tcp)
        {
            string host = string.IsNullOrEmpty(tcp.Host) ? pod.PodIP : tcp.Host;
            int port = Port(tcp.Port, container);
            return ct => TcpAsync(host, port, ct);
        }

        if (probe.Exec is { Command: { Count: > 0 } command })
        {
            var mounts = new MountPaths(pod.Mounts(container));
            var argv = command.Select(c => mounts.Rewrite(LaunchSpecBuilder.Expand(c, launch.Environment))).ToList();
            return ct => ExecAsync(argv, launch, ct);
        }

        throw new ContainerConfigException($"container \"{container.Name}\": a probe needs httpGet, tcpSocket or exec");
    }

    /// <summary>A numeric port, or the name of one of the container's ports.</summary>
    private static int Port(IntOrString port, V1Container container)
    {
        if (int.TryParse(port.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            return number;
        }

        return container.Ports?.FirstOrDefault(p => p.Name == port.Value)?.ContainerPort
            ?? throw new ContainerConfigException($"container \"{container.Name}\" has no port named \"{port.Value}\"");
    }

    private static async Task<bool> HttpAsync(Uri uri, IList<V1HTTPHeader>? headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.UserAgent.ParseAdd("kube-probe/1.20");
        request.Headers.ConnectionClose = true;
        foreach (var header in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        try
        {
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            return status is >= 200 and < 400;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static async Task<bool> TcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task<bool> ExecAsync(IReadOnlyList<string> argv, LaunchSpec launch, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = launch.WorkingDirectory,
        };
        foreach (string argument in argv.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        foreach (var (key, value) in launch.Environment)
        {
            info.Environment[key] = value;
        }

        Process process;
        try
        {
            process = await ProcessLauncher.StartAsync(info).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }

        using (process)
        {
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                return process.ExitCode == 0;
            }
            catch (OperationCanceledException)
            {
                Signals.SendToGroup(process.Id, Signals.Kill);
                throw;
            }
        }
    }
}
