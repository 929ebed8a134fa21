using System.Diagnostics;
using System.Globalization;
using Externalscaler;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;
using Serving.Scaler.Hosting;
using StackExchange.Redis;

// Scaler benchmark: (1) a request at zero replicas -> StreamIsActive true, through a real gateway, Redis pub/sub and
// the scaler, against Redis's own PUBLISH -> subscriber time; (2) GetMetrics with 1,000 revisions, against the gRPC
// health Check (an empty RPC on the same channel). Usage: scaler-bench REDIS_HOST:PORT [activations] [calls]
string redis = args.Length > 0 ? args[0] : throw new ArgumentException("usage: scaler-bench REDIS_HOST:PORT [activations] [calls]");
int activations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
int calls = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5000;
const int Revisions = 1000;

var scaler = ScalerHost.Build(new ScalerOptions { Port = 0, Redis = redis, RedisPrefix = "bench", LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
await scaler.StartAsync();
var gateway = GatewayHost.Build(new GatewayOptions { Port = 0, AdminPort = 0, Redis = redis, RedisPrefix = "bench", LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
await gateway.StartAsync();
var catalog = gateway.Services.GetRequiredService<ServiceCatalog>();
catalog.Replace(Enumerable.Range(0, Revisions).Select(i => new ServiceRoute("default", $"s{i}", new Dictionary<Component, ComponentRoute>
{
    [Component.Predictor] = new([new TrafficTarget($"s{i}-predictor-00001", 100)], [new RevisionRoute($"s{i}-predictor-00001", 0, [])]),
})));
using var channel = GrpcChannel.ForAddress(scaler.ScalerAddress());
var client = new ExternalScaler.ExternalScalerClient(channel);
var health = new Health.HealthClient(channel);
using var http = new HttpClient { BaseAddress = gateway.Addresses().Inference, Timeout = TimeSpan.FromSeconds(5) };

static ScaledObjectRef Ref(int i)
{
    var r = new ScaledObjectRef { Name = $"s{i}", Namespace = "default" };
    r.ScalerMetadata.Add("inferenceService", $"s{i}");
    r.ScalerMetadata.Add("component", "predictor");
    r.ScalerMetadata.Add("revision", $"s{i}-predictor-00001");
    return r;
}

// Wait until the scaler knows every revision.
for (var sw = Stopwatch.StartNew(); ; await Task.Delay(50))
{
    try
    {
        await client.GetMetricSpecAsync(Ref(Revisions - 1));
        break;
    }
    catch (RpcException) when (sw.Elapsed < TimeSpan.FromSeconds(30))
    {
    }
}

// (1) Activation push: one fresh revision per sample, so every sample is an inactive -> active transition.
var push = new List<double>();
for (int i = 0; i < Math.Min(activations, Revisions); i++)
{
    using var stream = client.StreamIsActive(Ref(i));
    if (!await stream.ResponseStream.MoveNext() || stream.ResponseStream.Current.Result)
    {
        throw new InvalidOperationException($"s{i} should start inactive");
    }

    using var cancel = new CancellationTokenSource();
    var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/models/s{i}:predict") { Content = new StringContent("{}") };
    request.Headers.Host = $"s{i}.default.example.com";
    long start = Stopwatch.GetTimestamp();
    var held = http.SendAsync(request, cancel.Token);
    if (!await stream.ResponseStream.MoveNext() || !stream.ResponseStream.Current.Result)
    {
        throw new InvalidOperationException($"s{i}: no push");
    }

    push.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    await cancel.CancelAsync(); // the held request leaves the activator queue
    try
    {
        await held;
    }
    catch (OperationCanceledException)
    {
    }
}

// Baseline for (1): Redis PUBLISH -> subscriber callback on one connection.
var pubsub = new List<double>();
using (var mux = await ConnectionMultiplexer.ConnectAsync(redis))
{
    var sub = mux.GetSubscriber();
    var channelName = RedisChannel.Literal("bench:baseline");
    TaskCompletionSource got = new(TaskCreationOptions.RunContinuationsAsynchronously);
    await sub.SubscribeAsync(channelName, (_, _) => got.TrySetResult());
    for (int i = 0; i < push.Count; i++)
    {
        got = new(TaskCreationOptions.RunContinuationsAsynchronously);
        long start = Stopwatch.GetTimestamp();
        await sub.PublishAsync(channelName, "x");
        await got.Task;
        pubsub.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    }
}

// (2) GetMetrics over 1,000 revisions vs the health Check on the same channel, interleaved.
var metrics = new List<double>();
var check = new List<double>();
var random = new Random(1);
for (int i = 0; i < calls; i++)
{
    int r = random.Next(Revisions);
    var requestRef = Ref(r);
    long start = Stopwatch.GetTimestamp();
    var response = await client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = requestRef, MetricName = $"s{r}-predictor-00001-concurrency" });
    metrics.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
    _ = response.MetricValues.Single();
    start = Stopwatch.GetTimestamp();
    await health.CheckAsync(new HealthCheckRequest());
    check.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
}

static double P(List<double> values, double q)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static string Row(string name, List<double> v, List<double> baseline) => string.Create(CultureInfo.InvariantCulture,
    $"| {name} | {v.Count} | {P(v, 0.5):0.000} | {P(v, 0.99):0.000} | {P(v, 0.5) / P(baseline, 0.5):0.00}x | {P(v, 0.99) / P(baseline, 0.99):0.00}x |");

Console.WriteLine("| measurement | samples | p50 ms | p99 ms | p50 / baseline | p99 / baseline |");
Console.WriteLine("|---|---|---|---|---|---|");
Console.WriteLine(Row("request at zero -> StreamIsActive true", push, pubsub));
Console.WriteLine(Row("baseline: Redis PUBLISH -> subscriber", pubsub, pubsub));
Console.WriteLine(Row($"GetMetrics, {Revisions} revisions known", metrics, check));
Console.WriteLine(Row("baseline: gRPC health Check", check, check));

await gateway.StopAsync();
await scaler.StopAsync();
