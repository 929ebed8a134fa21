using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serving.Autoscaling.Configuration;
using Serving.Controller.Local;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Hosting;
using Serving.Controller.Local.Processes;
using Serving.Gateway.Hosting;
using Serving.Gateway.Routing;
using Serving.LoadTests.Cli;

namespace Serving.LoadTests.ColdStart;

/// <summary>
/// The <c>coldstart</c> benchmark: the one-machine platform in this process (gateway on free loopback ports, real
/// runtime processes) serving iris at <c>minReplicas: 0</c>, once as shipped and once per environment variant. Each
/// round waits until every variant is at zero (no route, no process), then sends one request to each and reads the
/// platform's start timeline for it, then a few warm requests; the report gives median, p90 and max per phase.
/// </summary>
internal sealed class ColdStartBenchmark(ColdStartOptions options, Progress progress)
{
    private const string Body = """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4]}]}""";
    private static readonly TimeSpan ZeroTimeout = TimeSpan.FromSeconds(90);

    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        string runtime = Path.GetFullPath(options.RuntimePath);
        string model = Path.Combine(Path.GetFullPath(options.ModelDir), "model.onnx");
        if (!File.Exists(runtime))
        {
            throw new BenchmarkException($"{runtime} not found (dotnet build runtime/Serving.Runtime.Host -c Release)");
        }

        if (!File.Exists(model))
        {
            throw new BenchmarkException($"{model} not found");
        }

        string root = Path.Combine(Path.GetFullPath(options.WorkDir), DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture));
        var variants = Variants();
        var app = Build(root, runtime, model, variants);
        await app.StartAsync(cancellationToken);
        try
        {
            var (inference, _) = app.Addresses();
            var platform = app.Services.GetRequiredService<LocalPlatform>();
            var catalog = app.Services.GetRequiredService<ServiceCatalog>();
            var at = new PlatformProbe(platform, catalog, root);
            progress.Write($"platform at {inference}; {variants.Count} variant(s), {options.Runs} cold start(s) each");
            using (await _client.GetAsync(inference, cancellationToken))
            {
                // opens the client's connection to the gateway, so no run pays for it
            }

            var samples = new List<ColdStartSample>();
            for (int round = 1; round <= options.Runs; round++)
            {
                foreach (var variant in variants)
                {
                    await at.WaitForZeroAsync(variant.Service, ZeroTimeout, cancellationToken);
                }

                foreach (var variant in variants)
                {
                    var sample = await ColdStartAsync(inference, at, variant, round, cancellationToken);
                    samples.Add(sample);
                    progress.Write(
                        $"round {round} {variant.Label}: total {sample.Total.TotalMilliseconds:0} ms, ready → forwarded {sample.ReadyToForwarded.TotalMilliseconds:0.0} ms");
                }
            }

            string report = ColdStartReport.Render(options, variants, samples, startedAt, clock.Elapsed, runtime);
            string output = Path.GetFullPath(options.OutputPath);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            await File.WriteAllTextAsync(output, report, cancellationToken);
            progress.Write($"report: {output}");
            return 0;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
            _client.Dispose();
        }
    }

    private List<Variant> Variants()
    {
        var all = new List<Variant> { new("iris", "as shipped", new Dictionary<string, string>()) };
        for (int i = 0; i < options.Variants.Count; i++)
        {
            var env = options.Variants[i];
            all.Add(new Variant($"iris-v{i + 1}", string.Join(" ", env.Select(e => $"{e.Key}={e.Value}")), env));
        }

        return all;
    }

    private static WebApplication Build(string root, string runtime, string model, List<Variant> variants)
    {
        string manifests = Path.Combine(root, "manifests");
        Directory.CreateDirectory(manifests);
        Directory.CreateDirectory(Path.Combine(root, "models", "iris"));
        File.Copy(model, Path.Combine(root, "models", "iris", "model.onnx"));
        foreach (var variant in variants)
        {
            File.WriteAllText(Path.Combine(manifests, variant.Service + ".yaml"), variant.Manifest());
        }

        return LocalHost.Build(new LocalOptions(
            new GatewayOptions { Port = 0, AdminPort = 0, LogLevel = LogLevel.Warning },
            new LocalPlatformOptions
            {
                ManifestDirectory = manifests,
                RuntimePath = runtime,
                StorageRoot = root,
                StateDirectory = Path.Combine(root, "state"),
                DecisionInterval = TimeSpan.FromMilliseconds(500),
                Autoscaling = AutoscalingConfig.Default with { ScaleToZeroGracePeriod = TimeSpan.FromSeconds(1) },
                Replicas = new ReplicaTimings { StopGrace = TimeSpan.FromSeconds(10) },
            }));
    }

    private async Task<ColdStartSample> ColdStartAsync(Uri inference, PlatformProbe at, Variant variant, int round, CancellationToken cancellationToken)
    {
        long sent = Stopwatch.GetTimestamp();
        var (status, cold) = await InferAsync(new Uri(inference, $"/v2/models/{variant.Service}/infer"), variant.Host, cancellationToken);
        long answered = Stopwatch.GetTimestamp();
        if (status != HttpStatusCode.OK || !cold)
        {
            throw new BenchmarkException($"{variant.Service}: the request at zero answered {(int)status}, cold start header {cold}");
        }

        var timeline = at.TimelineAfter(variant.Service, sent)
            ?? throw new BenchmarkException($"{variant.Service}: no start timeline activated by the request");
        for (int i = 0; i < 100 && !timeline.Has(StartStep.ModelLoaded); i++)
        {
            await Task.Delay(10, cancellationToken); // the runtime logs "loaded" after it turns ready: the line may trail
        }

        long Of(StartStep step) => timeline.At(step) ?? throw new BenchmarkException($"{timeline.Replica}: no {step} on its timeline");
        TimeSpan Span(long from, long to) => Stopwatch.GetElapsedTime(from, to);

        string replica = at.ReplicaAddress(variant.Service) ?? throw new BenchmarkException($"{variant.Service}: no ready replica after the cold start");
        var direct = await MedianAsync(new Uri(new Uri(replica), $"/v2/models/{variant.Service}/infer"), null, cancellationToken);
        var gateway = await MedianAsync(new Uri(inference, $"/v2/models/{variant.Service}/infer"), variant.Host, cancellationToken);
        return new ColdStartSample(
            variant.Label,
            round,
            Span(sent, answered),
            Span(sent, Of(StartStep.Activated)),
            Span(Of(StartStep.Activated), Of(StartStep.Spawned)),
            Span(Of(StartStep.Spawned), Of(StartStep.Listening)),
            Span(Of(StartStep.Spawned), Of(StartStep.ModelLoaded)),
            Span(Of(StartStep.Listening), Of(StartStep.Ready)),
            Span(Of(StartStep.Ready), Of(StartStep.Routed)),
            Span(Of(StartStep.Routed), Of(StartStep.Forwarded)),
            Span(Of(StartStep.Forwarded), answered),
            direct,
            gateway);
    }

    private async Task<TimeSpan> MedianAsync(Uri uri, string? host, CancellationToken cancellationToken)
    {
        var times = new List<TimeSpan>();
        for (int i = 0; i < options.WarmRequests; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var (status, _) = await InferAsync(uri, host, cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(start));
            if (status != HttpStatusCode.OK)
            {
                throw new BenchmarkException($"warm request to {uri} answered {(int)status}");
            }
        }

        return Stats.Percentile(times, 0.5);
    }

    private async Task<(HttpStatusCode Status, bool Cold)> InferAsync(Uri uri, string? host, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await _client.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return (response.StatusCode, response.Headers.TryGetValues("X-Cold-Start", out var values) && values.Contains("true"));
    }
}
