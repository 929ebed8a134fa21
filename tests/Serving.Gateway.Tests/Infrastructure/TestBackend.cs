using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serving.Gateway.Tests.Infrastructure;

/// <summary>
/// A real Kestrel replica on a loopback port: answers <c>{"replica": name, "path": ...}</c>, optionally after a delay
/// (held until <see cref="Release"/> when gated), and records its highest concurrency and the headers it saw.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;
    private int _served;
    private int _cancelled;
    private volatile TaskCompletionSource _gate = CompletedGate();

    private TestBackend(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public string Address => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Served => Volatile.Read(ref _served);

    public TimeSpan Delay { get; set; }

    public ConcurrentQueue<IHeaderDictionary> Headers { get; } = new();

    /// <summary>Request bodies received, in arrival order.</summary>
    public ConcurrentQueue<string> Bodies { get; } = new();

    /// <summary>When set, answers each request body with this status and JSON (or any) body instead of the default.</summary>
    public Func<string, (int Status, string Body)>? Respond { get; set; }

    /// <summary>Requests whose client (the gateway) went away before the answer.</summary>
    public int Cancelled => Volatile.Read(ref _cancelled);

    public static async Task<TestBackend> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var backend = new TestBackend(name, app);
        app.Run(backend.HandleAsync);
        await app.StartAsync();
        return backend;
    }

    /// <summary>From now on requests wait until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _gate.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private async Task HandleAsync(HttpContext context)
    {
        int now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }

        try
        {
            Headers.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase)));
            string body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
            Bodies.Enqueue(body);
            await _gate.Task.WaitAsync(context.RequestAborted);
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, context.RequestAborted);
            }

            context.Response.ContentType = "application/json";
            if (Respond is { } respond)
            {
                var (status, answer) = respond(body);
                context.Response.StatusCode = status;
                await context.Response.WriteAsync(answer);
            }
            else
            {
                await context.Response.WriteAsync($$"""{"replica":"{{Name}}","path":"{{context.Request.Path}}"}""");
            }

            Interlocked.Increment(ref _served);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelled);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
