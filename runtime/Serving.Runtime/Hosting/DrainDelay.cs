using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Runtime.Models;

namespace Serving.Runtime.Hosting;

/// <summary>
/// Keeps the listener open for <see cref="RuntimeOptions.DrainDelay"/> once shutdown begins, readiness already false. In a
/// pod, SIGTERM and the EndpointSlice change start at the same moment and gateways keep sending here until the change
/// reaches them; a listener closed at once fails those requests (Kubernetes' usual gap, closed elsewhere by a
/// <c>preStop</c> sleep). Runs before any hosted service stops, so Kestrel serves throughout; then the listener closes
/// and requests in flight finish within the shutdown timeout.
/// </summary>
internal sealed partial class DrainDelay(RuntimeOptions options, ModelRegistry registry, TimeProvider time, ILogger<DrainDelay> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        registry.StartDraining();
        if (options.DrainDelay <= TimeSpan.Zero)
        {
            return;
        }

        LogDraining(logger, options.DrainDelay.TotalSeconds);
        try
        {
            await Task.Delay(options.DrainDelay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout ran out first: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Shutting down: not ready, still serving for {Seconds} s while routing lets this replica go")]
    private static partial void LogDraining(ILogger logger, double seconds);
}
