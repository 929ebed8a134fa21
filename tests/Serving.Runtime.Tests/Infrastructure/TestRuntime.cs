using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Serving.Runtime.Hosting;

namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>A real runtime host on a free loopback port, with a client, ready when returned.</summary>
internal sealed class TestRuntime : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestRuntime(WebApplication app, HttpClient client)
    {
        _app = app;
        Client = client;
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestRuntime> StartAsync(string modelDir, string? modelName = null, Func<RuntimeOptions, RuntimeOptions>? configure = null)
    {
        var options = new RuntimeOptions
        {
            ModelDir = modelDir,
            ModelName = modelName,
            HttpPort = 0,
            Device = global::Serving.Runtime.Models.DeviceKind.Cpu,
            IntraOpThreads = 1,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        var app = RuntimeHost.Build(configure?.Invoke(options) ?? options);
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = app.Address(), Timeout = TimeSpan.FromSeconds(30) };
        var runtime = new TestRuntime(app, client);
        await runtime.WaitReadyAsync();
        return runtime;
    }

    public async Task WaitReadyAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await Client.GetAsync("/v2/health/ready", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    public async Task<(int Status, JsonNode? Body)> PostJsonAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(path, content);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    public Task<(int Status, JsonNode? Body)> PostJsonAsync(string path, JsonNode json) => PostJsonAsync(path, json.ToJsonString());

    public async Task<(int Status, JsonNode? Body)> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return ((int)response.StatusCode, await ReadJsonAsync(response));
    }

    /// <summary>Posts a binary-extension body: JSON header of <paramref name="headerLength"/> bytes (default: all of it) then raw bytes.</summary>
    public async Task<HttpResponseMessage> PostBinaryAsync(string path, string headerJson, byte[] raw, long? headerLength = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(headerJson);
        var content = new ByteArrayContent([.. header, .. raw]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", (headerLength ?? header.Length).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await Client.PostAsync(path, content);
    }

    /// <summary>Asserts the server still answers liveness, readiness and a real inference after a bad request.</summary>
    public async Task AssertHealthyAsync(Func<Task>? inference = null)
    {
        var (live, _) = await GetJsonAsync("/v2/health/live");
        var (ready, _) = await GetJsonAsync("/v2/health/ready");
        Assert.Equal(200, live);
        Assert.Equal(200, ready);
        if (inference is not null)
        {
            await inference();
        }
    }

    public static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
