using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Autoscaling.Configuration;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Hosting;
using Serving.Controller.Local.Processes;
using Serving.Gateway.Hosting;
using Serving.Scaler.Hosting;

namespace Serving.Controller.Local.Tests.Infrastructure;

/// <summary>
/// The whole one-machine platform in the test process (gateway on free loopback ports, the local backend starting real
/// runtime processes) over a temporary folder of manifests, with a private copy of the iris model so that the test can
/// find its own runtime processes by their command line.
/// </summary>
internal sealed class TestPlatform : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    private TestPlatform(string root, WebApplication app, ConcurrentQueue<string> logs, ConcurrentQueue<string> trail)
    {
        Root = root;
        _app = app;
        Logs = logs;
        Trail = trail;
        (Inference, Admin) = app.Addresses();
    }

    /// <summary>A folder of its own: <c>manifests/</c> and <c>models/iris/</c>.</summary>
    public string Root { get; }

    public string Manifests => Path.Combine(Root, "manifests");

    public string IrisModel => Path.Combine(Root, "models", "iris");

    public Uri Inference { get; }

    public Uri Admin { get; }

    /// <summary>The in-process KEDA external scaler (gRPC, h2c), when started with <c>scaler: true</c>.</summary>
    public Uri? Scaler => LocalHost.ScalerAddress(_app);

    /// <summary>Every line the platform logged at Warning or above, as "Category: message".</summary>
    public ConcurrentQueue<string> Logs { get; }

    /// <summary>
    /// The platform's last lines at Information and above, with times (what it did: applied, started, ready, routed,
    /// retired), shown when a wait times out; the console still gets only warnings.
    /// </summary>
    public ConcurrentQueue<string> Trail { get; }

    private const int TrailLength = 60;

    /// <summary>The platform's recent replica start timelines.</summary>
    public IReadOnlyList<StartTimeline> Starts => _app.Services.GetRequiredService<LocalPlatform>().Starts;

    /// <param name="grace">Scale-to-zero grace (Knative's default is 30 s; tests shorten it).</param>
    /// <param name="storageRoot">Where relative storage URIs point (default: this test's folder).</param>
    /// <param name="scaler">Also serve the KEDA external scaler, on a free loopback port (<see cref="Scaler"/>).</param>
    /// <param name="timings">Replica timings (default: a 10 s stop grace and a 1 s restart backoff).</param>
    /// <param name="root">An existing platform's folder, to start again on its manifests and state (a restart).</param>
    /// <param name="apiKeys">The gateway's API keys file (<c>--api-keys</c>).</param>
    public static async Task<TestPlatform> StartAsync(
        TimeSpan? grace = null, string? storageRoot = null, bool scaler = false, ReplicaTimings? timings = null, string? root = null,
        string? apiKeys = null)
    {
        if (root is null)
        {
            root = Path.Combine(Path.GetTempPath(), "serving-local-tests", Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Path.Combine(root, "manifests"));
            Directory.CreateDirectory(Path.Combine(root, "models", "iris"));
            File.Copy(Path.Combine(RepoPaths.Root, "samples", "models", "iris", "model.onnx"), Path.Combine(root, "models", "iris", "model.onnx"));
        }

        var options = new LocalOptions(
            new GatewayOptions { Port = 0, AdminPort = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Information, Auth = new() { ApiKeysFile = apiKeys } },
            new LocalPlatformOptions
            {
                ManifestDirectory = Path.Combine(root, "manifests"),
                RuntimePath = Path.Combine(AppContext.BaseDirectory, "serving-runtime.dll"),
                StorageRoot = storageRoot ?? root,
                StateDirectory = Path.Combine(root, "state"),
                ScanInterval = TimeSpan.FromMilliseconds(100),
                DecisionInterval = TimeSpan.FromMilliseconds(500),
                Autoscaling = AutoscalingConfig.Default with { ScaleToZeroGracePeriod = grace ?? TimeSpan.FromSeconds(30) },
                Replicas = timings ?? new ReplicaTimings { StopGrace = TimeSpan.FromSeconds(10), RestartBackoff = TimeSpan.FromSeconds(1) },
            },
            scaler ? new ScalerOptions { Port = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning } : null);
        var logs = new ConcurrentQueue<string>();
        var trail = new ConcurrentQueue<string>();
        var app = LocalHost.Build(options, builder =>
        {
            builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, Microsoft.Extensions.Logging.LogLevel.Warning);
            builder.Logging.AddProvider(new QueueLoggerProvider(logs));
            builder.Logging.AddProvider(new QueueLoggerProvider(trail, Microsoft.Extensions.Logging.LogLevel.Information, TrailLength));
        });
        await app.StartAsync();
        return new TestPlatform(root, app, logs, trail);
    }

    /// <summary>Stops this platform (its replicas stop with it) and starts a new one on the same manifests and state.</summary>
    public async Task<TestPlatform> RestartAsync(TimeSpan? grace = null)
    {
        await StopAsync();
        return await StartAsync(grace, root: Root);
    }

    /// <summary>Stops this platform and keeps its folder, for a new one to start on (<c>StartAsync(root: Root)</c>).</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
        _restarted = true;
    }

    private bool _restarted;

    public void Write(string file, string yaml) => File.WriteAllText(Path.Combine(Manifests, file), yaml);

    public void Delete(string file) => File.Delete(Path.Combine(Manifests, file));

    /// <summary>A V2 inference on iris through the gateway by Host; returns the status and the model version answered.</summary>
    public async Task<(HttpStatusCode Status, string? Version, bool ColdStart)> InferAsync(
        string service, CancellationToken cancellationToken = default, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Inference, $"/v2/models/{service}/infer"))
        {
            Content = new StringContent(
                """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4]}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = host ?? $"{service}.default.example.com";
        using var response = await _client.SendAsync(request, cancellationToken);
        bool cold = response.Headers.TryGetValues("X-Cold-Start", out var values) && values.Contains("true");
        if (!response.IsSuccessStatusCode)
        {
            return (response.StatusCode, null, cold);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return (response.StatusCode, body?["model_version"]?.GetValue<string>(), cold);
    }

    public async Task<HttpStatusCode> PredictV1Async(string service) => (await PostV1Async(service)).Status;

    /// <summary>A V1 prediction on iris by Host (with <paramref name="headers"/>): the status and the JSON body (null when it is not JSON).</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body)> PostV1Async(string service, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Inference, $"/v1/models/{service}:predict"))
        {
            Content = new StringContent("""{"instances":[[6.8,2.8,4.8,1.4]]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = $"{service}.default.example.com";
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await _client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        JsonNode? body;
        try
        {
            body = JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            body = null;
        }

        return (response.StatusCode, body);
    }

    /// <summary>GET on the admin port: the status code and the body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> AdminAsync(string path)
    {
        using var response = await _client.GetAsync(new Uri(Admin, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary><c>GET /status</c> on the admin port: the object of that kind and name, or null.</summary>
    public async Task<JsonNode?> StatusAsync(string name, string kind = "InferenceService")
    {
        var list = await _client.GetFromJsonAsync<JsonArray>(new Uri(Admin, "/status"));
        return list!.FirstOrDefault(o => o?["kind"]?.GetValue<string>() == kind && o?["metadata"]?["name"]?.GetValue<string>() == name)?["status"];
    }

    public Task<string> TableAsync() => _client.GetStringAsync(new Uri(Admin, "/status?format=table"));

    /// <summary>Like <see cref="WaitUntilAsync"/>, and on a timeout the failure shows the platform's status table and warnings.</summary>
    public async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                string table = await TableAsync();
                Assert.Fail($"timed out after {timeout.TotalSeconds:0} s waiting for {what}\n{table}\nwhat the platform did last:\n{string.Join('\n', Trail)}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout.TotalSeconds:0} s waiting for {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>Runtime processes of this platform (their command line names this test's folder) serving <paramref name="model"/>.</summary>
    public int RuntimeProcesses(string? model = null) => RuntimePids(model).Count();

    /// <summary>Waits for a runtime process of <paramref name="model"/> to exist and returns its pid.</summary>
    public async Task<int> WaitForRuntimeAsync(string model, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (RuntimePids(model).FirstOrDefault() is var pid and > 0)
            {
                return pid;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no runtime process for {model} within {timeout.TotalSeconds:0} s");
            await Task.Delay(5);
        }
    }

    private IEnumerable<int> RuntimePids(string? model) =>
        Directory.EnumerateDirectories("/proc").Where(dir =>
        {
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                return cmdline.Contains("serving-runtime", StringComparison.Ordinal) && cmdline.Contains(Root, StringComparison.Ordinal)
                    && (model is null || cmdline.Contains($"--model_name={model} ", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }).Select(dir => int.TryParse(Path.GetFileName(dir), out int pid) ? pid : 0).Where(pid => pid > 0);

    public async ValueTask DisposeAsync()
    {
        if (_restarted)
        {
            return; // the platform that replaced it owns the folder
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a runtime still closing its files; the temp folder is cleaned by the system
        }
    }
}

internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Manifests the tests write.</summary>
internal static class Manifests
{
    /// <param name="extra">Lines added under <c>predictor:</c> (indented by the caller with 4 spaces).</param>
    public static string Iris(string name, int minReplicas, string version = "1", string extra = "", string annotations = "") => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: {name}
          annotations:
            autoscaling.knative.dev/window: "6s"
        {annotations}
        spec:
          predictor:
            minReplicas: {minReplicas}
        {extra}
            model:
              modelFormat:
                name: onnx
              storageUri: file://models/iris
              args: ["--model_version={version}"]
        """;
}

/// <summary>
/// Keeps the platform's log lines at <paramref name="level"/> and above, so that a test can tell what was logged and how
/// often; with a <paramref name="limit"/>, only the last lines, stamped with the time (a trail for failure messages).
/// </summary>
internal sealed class QueueLoggerProvider(ConcurrentQueue<string> lines, LogLevel level = LogLevel.Warning, int limit = 0) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = lines;
    private readonly LogLevel _level = level;
    private readonly int _limit = limit;

    public ILogger CreateLogger(string categoryName) => new QueueLogger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class QueueLogger(string category, QueueLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider._level && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            if (provider._limit == 0)
            {
                provider._lines.Enqueue($"{category}: {formatter(state, exception)}");
                return;
            }

            string name = category[(category.LastIndexOf('.') + 1)..];
            provider._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel.ToString()[..4]} {name}: {formatter(state, exception)}");
            while (provider._lines.Count > provider._limit)
            {
                provider._lines.TryDequeue(out _);
            }
        }
    }
}
