using System.Globalization;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Server;
using Serving.LoadTests.Tuning;

namespace Serving.LoadTests.Gateway;

/// <summary>
/// Starts the backend and the targets in front of it, each on free loopback ports with its config and log under the
/// work folder: the gateway (a build copy, per tuning variant), nginx as a reverse proxy, and the Go reverse proxy.
/// </summary>
internal sealed class TargetLauncher(GatewayBenchOptions options, string gatewayBuildDir, string workDir)
{
    public const string Host = "iris.default.example.com";
    public const string RequestPath = "/v1/models/iris:predict";
    public const string CanaryRevision = "iris-predictor-00002";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private int _gateways;

    public static string GatewayEntryDll(GatewayBenchOptions options) => Path.GetFileName(options.GatewayDll);

    public async Task<(ServerProcess Process, int Port)> StartBackendAsync(CancellationToken cancellationToken)
    {
        int port = FreePort.Next();
        var process = await StartNginxAsync("backend", p => NginxConf.Backend(p, port), new Uri($"http://127.0.0.1:{port}/"), cancellationToken);
        return (process, port);
    }

    public static Target Direct(int backendPort) =>
        new(Target.Direct, TargetKind.Direct, new Uri($"http://127.0.0.1:{backendPort}{RequestPath}"), null, null, null);

    public async Task<Target> StartNginxProxyAsync(int backendPort, CancellationToken cancellationToken)
    {
        int port = FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port}{RequestPath}");
        var process = await StartNginxAsync("nginx-proxy", p => NginxConf.ReverseProxy(p, port, backendPort), url, cancellationToken);
        return new Target("nginx", TargetKind.Nginx, url, process, null, null);
    }

    public async Task<Target> StartGoProxyAsync(int backendPort, CancellationToken cancellationToken)
    {
        int port = FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port}{RequestPath}");
        var spec = new ProcessSpec(
            "go-proxy",
            Path.GetFullPath(options.GoProxy),
            ["-listen", $"127.0.0.1:{Port(port)}", "-backend", $"http://127.0.0.1:{Port(backendPort)}"]);
        var process = await ServerProcess.StartAsync(spec, new ReadyProbe(url), Path.Combine(workDir, "go-proxy.log"), ReadyTimeout, cancellationToken);
        return new Target("go", TargetKind.Go, url, process, null, null);
    }

    /// <summary>The bare YARP forwarder (<c>loadtests/yarp-forwarder</c>), run from its build output like the gateway.</summary>
    public async Task<Target> StartYarpAsync(int backendPort, CancellationToken cancellationToken)
    {
        int port = FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port}{RequestPath}");
        var spec = new ProcessSpec(
            "yarp-forwarder",
            "dotnet",
            [Path.GetFullPath(options.YarpDll), "--listen", $"127.0.0.1:{Port(port)}", "--backend", $"http://127.0.0.1:{Port(backendPort)}"]);
        var process = await ServerProcess.StartAsync(spec, new ReadyProbe(url), Path.Combine(workDir, "yarp-forwarder.log"), ReadyTimeout, cancellationToken);
        return new Target(GatewayBenchResult.Yarp, TargetKind.Yarp, url, process, null, null);
    }

    /// <summary>
    /// The gateway with a tuning variant: knobs as environment variables, or in the runtimeconfig.json of a copy of the
    /// build for the variant's <see cref="TuningVariant.InRuntimeConfig"/> knobs.
    /// </summary>
    public async Task<Target> StartGatewayAsync(
        string name, TuningVariant variant, int backendPort, CancellationToken cancellationToken, IReadOnlyList<string>? arguments = null)
    {
        int index = ++_gateways;
        string dll = Path.Combine(gatewayBuildDir, GatewayEntryDll(options));
        if (variant.ConfigKnobs.Count > 0)
        {
            dll = BuildCopy.Create(
                gatewayBuildDir, Path.Combine(workDir, $"build-runtimeconfig-{index}"), GatewayEntryDll(options), variant.ConfigKnobs);
        }

        // Shared by every gateway; rewritten only when it changes, since running gateways reload it on change.
        string routes = Path.Combine(workDir, "routes.json");
        string json = RoutesJson(backendPort);
        if (!File.Exists(routes) || await File.ReadAllTextAsync(routes, cancellationToken) != json)
        {
            await File.WriteAllTextAsync(routes, json, cancellationToken);
        }

        int port = FreePort.Next();
        int adminPort = FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port}{RequestPath}");
        var spec = new ProcessSpec(
            name,
            "dotnet",
            [dll, "--port", Port(port), "--admin-port", Port(adminPort), "--routes", routes, "--log-level", "Warning", .. arguments ?? []],
            variant.Environment());
        // Ready when a request is routed through to the backend, not only when the admin port answers.
        var process = await ServerProcess.StartAsync(
            spec, new ReadyProbe(url, Host), Path.Combine(workDir, $"gateway-{index}.log"), ReadyTimeout, cancellationToken);
        return new Target(name, TargetKind.Gateway, url, process, new Uri($"http://127.0.0.1:{adminPort}/metrics"), variant);
    }

    /// <summary>One InferenceService, its predictor split 50/50 over two revisions on the same backend, so the canary draw is on the path.</summary>
    public static string RoutesJson(int backendPort)
    {
        string endpoint = $$"""[{"address": "http://127.0.0.1:{{Port(backendPort)}}", "ready": true}]""";
        return $$$$"""
            [{"namespace": "default", "name": "iris", "components": {"predictor": {
              "traffic": [{"revision": "{{{{CanaryRevision}}}}", "percent": 50, "tag": "latest"},
                          {"revision": "iris-predictor-00001", "percent": 50, "tag": "prev"}],
              "revisions": [{"name": "{{{{CanaryRevision}}}}", "containerConcurrency": 0, "endpoints": {{{{endpoint}}}}},
                            {"name": "iris-predictor-00001", "containerConcurrency": 0, "endpoints": {{{{endpoint}}}}}]}}}]

            """;
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task<ServerProcess> StartNginxAsync(string name, Func<string, string> conf, Uri ready, CancellationToken cancellationToken)
    {
        string prefix = Path.GetFullPath(Path.Combine(workDir, name));
        Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        string confPath = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(confPath, conf(prefix), cancellationToken);
        // -e: the log nginx writes before it has read the config (otherwise a path under /var/log).
        var spec = new ProcessSpec(name, options.Nginx, ["-p", prefix, "-e", Path.Combine(prefix, "startup-error.log"), "-c", confPath]);
        try
        {
            return await ServerProcess.StartAsync(spec, new ReadyProbe(ready), Path.Combine(prefix, "stdout.log"), ReadyTimeout, cancellationToken);
        }
        catch (BenchmarkException e)
        {
            string errors = Path.Combine(prefix, "error.log");
            string tail = File.Exists(errors) ? string.Join(" | ", File.ReadLines(errors).TakeLast(3)) : "";
            throw new BenchmarkException($"{e.Message} {tail}".Trim(), e);
        }
    }
}
