using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serving.Gateway.Activation;
using Serving.Gateway.Graph;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Revisions;
using Serving.Gateway.Routing;
using Serving.Gateway.Sources;

namespace Serving.Gateway.Tests.Infrastructure;

/// <summary>A real gateway host on free loopback ports, fed through its catalog, with a client that sets Host.</summary>
internal sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app)
    {
        _app = app;
        (Inference, Admin) = app.Addresses();
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2000 }) { BaseAddress = Inference, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Inference { get; }

    public Uri Admin { get; }

    public HttpClient Client { get; }

    public ServiceCatalog Catalog => _app.Services.GetRequiredService<ServiceCatalog>();

    public GraphCatalog Graphs => _app.Services.GetRequiredService<GraphCatalog>();

    public static async Task<TestGateway> StartAsync(
        Func<GatewayOptions, GatewayOptions>? options = null, ITrafficDraw? draw = null, IActivationSignal? signal = null, ITrafficDraw? splitterDraw = null,
        TimeProvider? time = null, IRouteSource? routes = null)
    {
        var baseOptions = new GatewayOptions { Port = 0, AdminPort = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning };
        var app = GatewayHost.Build(options?.Invoke(baseOptions) ?? baseOptions, builder =>
        {
            if (draw is not null)
            {
                builder.Services.AddSingleton(draw);
            }

            if (signal is not null)
            {
                builder.Services.AddSingleton(signal);
            }

            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            if (routes is not null)
            {
                builder.Services.AddSingleton(routes);
            }

            if (splitterDraw is not null)
            {
                builder.Services.AddKeyedSingleton(GraphExecutor.SplitterDrawKey, splitterDraw);
            }
        });
        await app.StartAsync();
        return new TestGateway(app);
    }

    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(
        string host, string path, HttpMethod? method = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path) { Content = new StringContent("{}") };
        request.Headers.Host = host;
        var response = await Client.SendAsync(request, cancellationToken);
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        return ((int)response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    /// <summary>Posts <paramref name="body"/> with Host set; returns the status, the body as text and the response.</summary>
    public async Task<(int Status, string Body, HttpResponseMessage Response)> PostAsync(
        string host, string path, string body, IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Host = host;
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var response = await Client.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), response);
    }

    public async Task<string> ReplicaAsync(string host, string path = "/v1/models/m:predict")
    {
        var (status, body, response) = await SendAsync(host, path);
        response.Dispose();
        Assert.True(status == 200, $"{host}{path}: {status} {body?.ToJsonString()}");
        return (string)body!["replica"]!;
    }

    public async Task<string> AdminAsync(string path)
    {
        using var client = new HttpClient { BaseAddress = Admin };
        return await client.GetStringAsync(path);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Builds <see cref="ServiceRoute"/>s for tests.</summary>
internal static class Routes
{
    public static ServiceRoute Predictor(string name, params (string Revision, int Percent, string? Tag, TestBackend[] Replicas)[] revisions) =>
        Service(name, (Component.Predictor, revisions, 0));

    public static ServiceRoute Service(string name, params (Component Component, (string Revision, int Percent, string? Tag, TestBackend[] Replicas)[] Revisions, int ContainerConcurrency)[] components) =>
        new("default", name, components.ToDictionary(
            c => c.Component,
            c => new ComponentRoute(
                [.. c.Revisions.Select(r => new TrafficTarget(r.Revision, r.Percent, r.Tag))],
                [.. c.Revisions.Select(r => new RevisionRoute(r.Revision, c.ContainerConcurrency, [.. r.Replicas.Select(b => new EndpointRoute(b.Address, true))]))])));

    public static ServiceRoute Revision(string name, string revision, int containerConcurrency, params EndpointRoute[] endpoints) =>
        new("default", name, new Dictionary<Component, ComponentRoute>
        {
            [Component.Predictor] = new([new TrafficTarget(revision, 100)], [new RevisionRoute(revision, containerConcurrency, endpoints)]),
        });
}

/// <summary>A draw that cycles 0..99: over any multiple of 100 requests a split is exact.</summary>
internal sealed class CyclingDraw : ITrafficDraw
{
    private int _next = -1;

    public int Next() => (int)((uint)Interlocked.Increment(ref _next) % 100);
}

internal sealed class SeededDraw(int seed) : ITrafficDraw
{
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public int Next()
    {
        lock (_lock)
        {
            return _random.Next(100);
        }
    }
}

internal sealed class RecordingSignal : IActivationSignal
{
    public System.Collections.Concurrent.ConcurrentQueue<RevisionKey> Activations { get; } = new();

    public void Activate(RevisionKey revision) => Activations.Enqueue(revision);
}
