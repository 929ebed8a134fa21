using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Runtime.Hosting;

namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>
/// A loopback HTTP server for the storage initializer's tests: <c>/files/NAME</c> serves a file, <c>/redirect/NAME</c>
/// answers 302 to it, <c>/private/NAME</c> wants the header <c>X-Token: let-me-in</c> (else 403), <c>/stall/NAME</c>
/// sends a few bytes and then nothing; anything else is 404.
/// </summary>
internal sealed class FileServer : IAsyncDisposable
{
    public const string Token = "let-me-in";

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _stalled;

    private FileServer(WebApplication app, TaskCompletionSource stalled) => (_app, _stalled) = (app, stalled);

    public Uri Address => _app.Address();

    /// <summary>Completes once a <c>/stall/</c> response has sent its first bytes.</summary>
    public Task Stalled => _stalled.Task;

    public static async Task<FileServer> StartAsync(IReadOnlyDictionary<string, byte[]> files)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        IResult File(string name, string? contentType = null) => files.TryGetValue(name, out byte[]? content)
            ? Results.Bytes(content, contentType ?? "application/octet-stream")
            : Results.NotFound();

        app.MapGet("/files/{name}", (string name) => File(name));
        app.MapGet("/redirect/{name}", (string name) => Results.Redirect($"/files/{name}"));
        app.MapGet("/private/{name}", (string name, HttpRequest request) =>
            request.Headers["X-Token"] == Token ? File(name) : Results.StatusCode(StatusCodes.Status403Forbidden));
        app.MapGet("/html/{name}", (string name) => File(name, "text/html"));
        app.MapGet("/stall/{name}", async (HttpResponse response, CancellationToken token) =>
        {
            response.ContentLength = 1000;
            await response.Body.WriteAsync(new byte[10], token);
            await response.Body.FlushAsync(token);
            stalled.TrySetResult();
            await Task.Delay(Timeout.Infinite, token);
        });

        await app.StartAsync();
        return new FileServer(app, stalled);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
