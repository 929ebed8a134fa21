using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Scaler.Activity;
using Serving.Scaler.Feed;

namespace Serving.Scaler.Aggregation;

/// <summary>
/// The scaler's tick: every <c>interval</c> reads every gateway replica's report into the <see cref="RevisionTable"/>
/// and re-evaluates the open streams; activation events go straight to the table and the streams, between ticks.
/// When the feed is unreachable it keeps the last values, logs once, and keeps trying (StackExchange.Redis reconnects).
/// </summary>
internal sealed partial class MetricsAggregator(
    IMetricsReader reader, RevisionTable table, ActivityHub hub, TimeProvider time, TimeSpan interval, ILogger<MetricsAggregator> logger)
    : BackgroundService
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(1);
    private bool _subscribed;
    private bool _failing;

    /// <summary>Reads once (also used at start so that the first RPC already has data).</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        if (!_subscribed)
        {
            try
            {
                await reader.SubscribeAsync(OnActivation, cancellationToken);
                _subscribed = true;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Failed(e);
                table.Hold(time.GetUtcNow());
                return;
            }
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadTimeout);
            var reports = await reader.ReadAsync(timeout.Token);
            table.Apply(reports, time.GetUtcNow());
            if (_failing)
            {
                _failing = false;
                LogRecovered(logger, table.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Failed(e);
            table.Hold(time.GetUtcNow());
        }

        hub.Evaluate(time.GetUtcNow());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            do
            {
                await TickAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void OnActivation(RevisionId revision)
    {
        var now = time.GetUtcNow();
        table.Activate(revision, now);
        hub.Activated(revision, now);
    }

    private void Failed(Exception e)
    {
        if (!_failing)
        {
            _failing = true;
            LogUnreachable(logger, e.GetType().Name, e.Message);
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning,
        Message = "The gateways' metrics feed is unreachable ({Kind}: {Reason}); serving the last known values and retrying")]
    private static partial void LogUnreachable(ILogger logger, string kind, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "The gateways' metrics feed is back ({Revisions} revisions)")]
    private static partial void LogRecovered(ILogger logger, int revisions);
}
