using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Routing;
using Serving.Scaler.Feed;

namespace Serving.Gateway.Autoscaling;

/// <summary>
/// Tells the scaler this replica's load: every <see cref="Interval"/>, the concurrency (in flight + held) and arrival
/// count of every routed revision, idle ones included, as one report that expires after <see cref="Ttl"/> (so a
/// replica that dies stops counting). Fails soft: routing never waits on it, a failure is logged once and the next
/// tick simply tries again.
/// </summary>
internal sealed partial class MetricsPublisher(IMetricsWriter writer, ServiceCatalog catalog, TimeProvider time, ILogger<MetricsPublisher> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);
    private readonly string _replica = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                await PublishAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PublishAsync(CancellationToken stoppingToken)
    {
        var revisions = catalog.Revisions;
        var loads = new RevisionLoad[revisions.Count];
        for (int i = 0; i < loads.Length; i++)
        {
            var revision = revisions[i];
            loads[i] = new RevisionLoad(revision.Key.ToRevisionId(), revision.Stats.Concurrency, revision.Stats.Arrivals);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(Timeout);
            await writer.PublishAsync(new ReplicaReport(_replica, time.GetUtcNow(), loads), Ttl, timeout.Token);
            if (_failing)
            {
                _failing = false;
                LogRecovered(logger);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            if (!_failing)
            {
                _failing = true;
                LogFailed(logger, e.GetType().Name, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning,
        Message = "Publishing metrics to the scaler failed ({Kind}: {Reason}); routing goes on, retrying every tick")]
    private static partial void LogFailed(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Publishing metrics to the scaler works again")]
    private static partial void LogRecovered(ILogger logger);
}
