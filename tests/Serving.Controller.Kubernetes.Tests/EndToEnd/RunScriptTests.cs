using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Serving.Scaler.Tests.Infrastructure;
using Serving.TestCluster.Control;
using Xunit.Abstractions;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// <c>./run.sh --kubernetes</c> as a newcomer runs it (issue 13 item 3): the script builds what it needs, starts a control
/// plane, the node agent, the KEDA stand-in, Redis, the controller, the scaler and the gateway, applies samples/kserve and
/// prints how to use it; kubectl and curl then work as the README says, and Ctrl+C leaves nothing running. Its own
/// ports and state folder, so a lab running on this machine is not disturbed.
/// </summary>
public sealed class RunScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_sh_kubernetes_serves_the_samples_through_kubectl_and_the_gateway_and_Ctrl_C_stops_everything()
    {
        string state = Directory.CreateTempSubdirectory("run-kubernetes-").FullName;
        int port = RedisServer.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["ADMIN_PORT"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["SCALER_PORT"] = RedisServer.FreePort().ToString(CultureInfo.InvariantCulture),
            ["CLUSTER_DIR"] = state,
        };
        var clock = Stopwatch.StartNew();
        var script = await ServingProcess.StartScriptAsync("run.sh", ["--kubernetes"], environment);
        try
        {
            await script.WaitForOutputAsync("A Kubernetes API server runs the lab", TimeSpan.FromMinutes(10));
            output.WriteLine($"up and the samples applied in {clock.Elapsed.TotalSeconds:F0} s");
            string kubeconfig = Path.Combine(state, "kubeconfig");
            Assert.Contains($"export KUBECONFIG={kubeconfig}", script.Output, StringComparison.Ordinal);

            // Every sample is Ready, with KServe's columns.
            var services = JsonNode.Parse((await KubeTools.KubectlAsync(["get", "isvc", "-o", "json"], kubeconfig)).EnsureSuccess("kubectl get isvc").StandardOutput)!["items"]!.AsArray();
            Assert.Equal(["iris", "iris-a", "iris-b", "iris-canary", "iris-mm-to-cm", "ppocr-cls"], services.Select(s => s!["metadata"]!["name"]!.GetValue<string>()).Order());
            Assert.All(services, s => Assert.Equal("True", ServingCluster.Condition(s!["status"]!.AsObject(), "Ready")));
            string table = (await KubeTools.KubectlAsync(["get", "isvc"], kubeconfig)).EnsureSuccess("kubectl get isvc").StandardOutput;
            Assert.Contains("LATESTREADYREVISION", table, StringComparison.Ordinal);

            // The README's first curl: iris (serverless, minReplicas 0) through the gateway, started by KEDA if it is at zero.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(90) };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{port}/v1/models/iris:predict"))
            {
                Content = new StringContent("""{"instances":[[6.8,2.8,4.8,1.4]]}""", new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Host = "iris.default.example.com";
            using var response = await http.SendAsync(request);
            Assert.Equal("""{"predictions":[1]}""", await response.Content.ReadAsStringAsync());
            output.WriteLine($"iris answered (X-Cold-Start: {string.Join(',', response.Headers.TryGetValues("X-Cold-Start", out var v) ? v : ["false"])})");

            // Ctrl+C: the script stops what it started, control plane included.
            var pids = Pids(state);
            Assert.NotEmpty(pids);
            await script.InterruptAsync(TimeSpan.FromSeconds(90));
            Assert.Contains("run.sh: stopping", script.Output, StringComparison.Ordinal);
            await Eventually.HoldsAsync(
                () => !pids.Any(Alive) && !Directory.EnumerateDirectories("/proc").Any(p => CommandLine(p).Contains(state, StringComparison.Ordinal)),
                "no process of the lab left (pods die with the node agent)", TimeSpan.FromSeconds(15));
        }
        finally
        {
            output.WriteLine(script.Tail(40));
            await script.DisposeAsync();
        }
    }

    /// <summary>The processes kube.sh and redis.sh recorded in the state folder.</summary>
    private static List<int> Pids(string state) =>
    [
        .. File.ReadAllLines(Path.Combine(state, "plane", "pids")).Select(l => int.Parse(l.Split(' ')[^1], CultureInfo.InvariantCulture)),
        int.Parse(File.ReadAllText(Path.Combine(state, "redis", "redis.pid")).Trim(), CultureInfo.InvariantCulture),
    ];

    private static bool Alive(int pid) => File.Exists($"/proc/{pid}/cmdline") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static string CommandLine(string procDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDirectory, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
