using System.Diagnostics;
using System.Text.RegularExpressions;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Hosting;

/// <summary>The gateway as a person runs it: the real executable, a routes file, its command line.</summary>
public sealed partial class GatewayProcessTests
{
    // Both ways of running request code on socket data (socket threads, the default, or the thread pool), one socket
    // thread, and both forwarding paths (direct, the default, and YARP for everything).
    [Theory]
    [InlineData("--io inline")]
    [InlineData("--io threadpool")]
    [InlineData("--io-threads 1")]
    [InlineData("--io-threads 1 --forwarder yarp")]
    [InlineData("--trusted-proxies 10.0.0.0/8,127.0.0.1 --max-request-bytes 100000 --replica-connections 4")]
    public async Task Serves_a_routes_file_and_follows_its_changes(string options)
    {
        await using var v1 = await TestBackend.StartAsync("v1");
        await using var v2 = await TestBackend.StartAsync("v2");
        string dir = Directory.CreateTempSubdirectory("gateway-routes").FullName;
        string routes = Path.Combine(dir, "routes.json");
        await File.WriteAllTextAsync(routes, RoutesJson(v1.Address));
        using var process = Start(["--port", "0", "--admin-port", "0", "--routes", routes, .. options.Split(' ')]);
        try
        {
            var (inference, _) = await AddressesAsync(process);
            using var client = new HttpClient { BaseAddress = inference };

            Assert.Equal("v1", await ReplicaAsync(client));
            await File.WriteAllTextAsync(routes, "[{ not json");
            await Task.Delay(500);
            Assert.Equal("v1", await ReplicaAsync(client)); // a bad file keeps the last good routes
            await File.WriteAllTextAsync(routes, RoutesJson(v2.Address));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60); // a file watcher's event and a debounce, on a machine maybe starved
            while (DateTime.UtcNow < deadline && await ReplicaAsync(client) != "v2")
            {
                await Task.Delay(50);
            }

            Assert.Equal("v2", await ReplicaAsync(client));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("--port 99999", "--port must be an integer from 0 to 65535, not '99999'")]
    [InlineData("--colour blue", "unknown option --colour")]
    [InlineData("stray", "unexpected argument 'stray'")]
    [InlineData("--io fast", "--io must be inline or threadpool, not 'fast'")]
    [InlineData("--io-threads 0", "--io-threads must be an integer from 1 to 1024, not '0'")]
    [InlineData("--forwarder nginx", "--forwarder must be direct or yarp, not 'nginx'")]
    [InlineData("--routes /nonexistent/routes.json", "/nonexistent/routes.json")]
    [InlineData("--trusted-proxies 10.0.0.0/33", "--trusted-proxies: '10.0.0.0/33' is not an IP address or a CIDR range")]
    [InlineData("--max-request-bytes 1e6", "--max-request-bytes must be an integer from 1 to")]
    [InlineData("--replica-connections 0", "--replica-connections must be an integer from 1 to 1000000, not '0'")]
    [InlineData("--kubeconfig /nonexistent/kubeconfig", "--kubeconfig: file '/nonexistent/kubeconfig' does not exist")]
    [InlineData("--namespace ml", "--namespace is for cluster mode: add --kubernetes or --kubeconfig PATH")]
    [InlineData("--kubernetes --routes routes.json", "--routes and cluster mode (--kubernetes, --kubeconfig) are two route sources: give one")]
    [InlineData("--kubernetes=maybe", "--kubernetes takes no value (or true/false), not 'maybe'")]
    [InlineData("--kubernetes", "not running in a pod: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT or the service account token")]
    [InlineData("--kubeconfig /proc/self/status", "serving-gateway: kubeconfig '/proc/self/status' cannot be used: ")]
    public async Task Bad_command_lines_exit_2_with_a_message(string args, string message)
    {
        using var process = Start(args.Split(' '));
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task Cluster_mode_with_an_API_server_that_does_not_answer_exits_1_saying_so()
    {
        string dir = Directory.CreateTempSubdirectory("gateway-kubeconfig").FullName;
        string kubeconfig = Path.Combine(dir, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: gone
              cluster: {server: "https://127.0.0.1:1"}
            users:
            - name: someone
              user: {token: abc}
            contexts:
            - name: gone
              context: {cluster: gone, user: someone}
            current-context: gone
            """);
        using var process = Start("--kubeconfig", kubeconfig, "--port", "0", "--admin-port", "0");
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(1, process.ExitCode);
        Assert.Contains("The Kubernetes route source failed: stopping the gateway", output, StringComparison.Ordinal);
        Assert.Contains("Connection refused (127.0.0.1:1)", output, StringComparison.Ordinal);
        Directory.Delete(dir, recursive: true);
    }

    private static string RoutesJson(string address) => """
        [{"namespace":"default","name":"iris","components":{"predictor":{
          "traffic":[{"revision":"iris-predictor-00001","percent":100}],
          "revisions":[{"name":"iris-predictor-00001","containerConcurrency":0,"endpoints":[{"address":"ADDRESS","ready":true}]}]}}}]
        """.Replace("ADDRESS", address, StringComparison.Ordinal);

    private static async Task<string> ReplicaAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/iris:predict") { Content = new StringContent("{}") };
        request.Headers.Host = "iris.default.example.com";
        using var response = await client.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        return System.Text.Json.Nodes.JsonNode.Parse(body)!["replica"]!.ToString();
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "serving-gateway.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<(Uri Inference, Uri Admin)> AddressesAsync(Process process)
    {
        var found = new List<Uri>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (found.Count < 2 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ListeningLine().Match(line) is { Success: true } match)
            {
                found.Add(new Uri(match.Groups[1].Value));
            }
        }

        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep draining
        return (found[0], found[1]);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
