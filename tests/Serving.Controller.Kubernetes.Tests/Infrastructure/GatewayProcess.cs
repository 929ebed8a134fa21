using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>A real <c>serving-gateway</c> process in cluster mode (<c>--kubeconfig</c>), on free loopback ports.</summary>
internal sealed partial class GatewayProcess : ServingProcess
{
    private GatewayProcess(Process process)
        : base(process)
    {
    }

    /// <summary>Inference traffic (<c>http://127.0.0.1:PORT/</c>).</summary>
    public Uri Inference { get; private set; } = null!;

    /// <summary>The admin listener: <c>/readyz</c>, <c>/routes</c>, <c>/metrics</c>.</summary>
    public Uri Admin { get; private set; } = null!;

    /// <summary>Starts the gateway and waits until it listens and its routes are synced (<c>/readyz</c>).</summary>
    /// <param name="log">Where its output is written when it is disposed.</param>
    public static async Task<GatewayProcess> StartAsync(string kubeconfig, string log, params string[] extra)
    {
        var gateway = new GatewayProcess(await LaunchAsync("serving-gateway.dll", ["--kubeconfig", kubeconfig, "--port", "0", "--admin-port", "0", .. extra]))
        {
            LogPath = log,
        };
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            List<Uri> listening;
            while ((listening = [.. ListeningLine().Matches(gateway.Output).Select(m => new Uri(m.Groups[1].Value))]).Count < 2)
            {
                Assert.False(gateway.Exited, $"the gateway exited with {gateway.ExitCode}:\n{gateway.Tail()}");
                Assert.True(DateTime.UtcNow < deadline, $"the gateway did not listen within 60 s:\n{gateway.Tail()}");
                await Task.Delay(100);
            }

            (gateway.Inference, gateway.Admin) = (listening[0], listening[1]);
            using var http = new HttpClient { BaseAddress = gateway.Admin };
            while ((await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode != System.Net.HttpStatusCode.OK)
            {
                Assert.False(gateway.Exited, $"the gateway exited with {gateway.ExitCode}:\n{gateway.Tail()}");
                Assert.True(DateTime.UtcNow < deadline, $"the gateway's routes were not synced within 60 s:\n{gateway.Tail()}");
                await Task.Delay(100);
            }

            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>Posts the lab's iris instances through the gateway (with <paramref name="apiKey"/> in <c>X-Api-Key</c>); its status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostAsync(string host, string path = "/v1/models/iris:predict", string? apiKey = null)
    {
        using var http = new HttpClient { BaseAddress = Inference };
        using var request = IrisRequest.To(host, path);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The ready replicas the gateway routes to for the service's predictor (its admin <c>/routes</c>).</summary>
    public async Task<List<string>> RoutedAsync(string ns, string name)
    {
        var service = await RouteOfAsync(ns, name);
        return
        [
            .. (service?["components"]?["predictor"]?.AsArray() ?? [])
                .SelectMany(r => r!["replicas"]!.AsArray())
                .Where(r => r!["ready"]!.GetValue<bool>())
                .Select(r => r!["address"]!.GetValue<string>())
                .Order(StringComparer.Ordinal),
        ];
    }

    /// <summary>Requests the activator holds for the service's predictor now (its admin <c>/routes</c>).</summary>
    public async Task<long> HeldAsync(string ns, string name)
    {
        var service = await RouteOfAsync(ns, name);
        return (service?["components"]?["predictor"]?.AsArray() ?? []).Sum(r => r!["held"]!.GetValue<long>());
    }

    private async Task<JsonNode?> RouteOfAsync(string ns, string name)
    {
        using var http = new HttpClient { BaseAddress = Admin };
        var routes = JsonNode.Parse(await http.GetStringAsync(new Uri("/routes", UriKind.Relative)))!;
        return routes["services"]!.AsArray().FirstOrDefault(s => s!["namespace"]!.GetValue<string>() == ns && s["name"]!.GetValue<string>() == name);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    /// <summary>
    /// Probes every 50 ms until <paramref name="done"/> holds, for at most 90 s (a busy two-core machine); the failure
    /// names the last value and this gateway's output.
    /// </summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var limit = TimeSpan.FromSeconds(90);
        var deadline = DateTime.UtcNow + limit;
        T last;
        while (!done(last = await probe()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what}: not within {limit.TotalSeconds:0} s; last: {Describe(last)}\n{Tail()}");
            await Task.Delay(50);
        }

        return last;
    }

    private static string Describe(object? value) =>
        value is System.Collections.IEnumerable list and not string ? string.Join(", ", list.Cast<object>()) : $"{value}";
}
