using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Activation;
using Serving.Gateway.Revisions;
using Serving.Scaler.Feed;

namespace Serving.Gateway.Autoscaling;

/// <summary>
/// Sends activation events to the scaler (Redis pub/sub or in memory). The request path only drops the revision into
/// a bounded channel, never waits; a background loop sends. Events for a revision already sent within
/// <see cref="Coalesce"/> are dropped: the scaler's latch keeps it active far longer, and 1,000 held requests must
/// not become 1,000 messages.
/// </summary>
internal sealed partial class FeedActivationSignal(IMetricsWriter writer, TimeProvider time, ILogger<FeedActivationSignal> logger)
    : BackgroundService, IActivationSignal
{
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);

    private readonly Channel<RevisionKey> _pending = Channel.CreateBounded<RevisionKey>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Dictionary<RevisionKey, long> _sent = [];
    private bool _failing;

    public void Activate(RevisionKey revision) => _pending.Writer.TryWrite(revision);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var revision in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                long now = time.GetTimestamp();
                if (_sent.TryGetValue(revision, out long last) && time.GetElapsedTime(last, now) < Coalesce)
                {
                    continue;
                }

                _sent[revision] = now;
                await SendAsync(revision, stoppingToken);
                if (_sent.Count > 10_000)
                {
                    _sent.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(RevisionKey revision, CancellationToken stoppingToken)
    {
        try
        {
            await writer.ActivateAsync(revision.ToRevisionId(), stoppingToken);
            _failing = false;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The request still waits in the activator and counts in the next metrics report.
            if (!_failing)
            {
                _failing = true;
                LogFailed(logger, revision.ToString(), e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning,
        Message = "Sending the activation of {Revision} to the scaler failed ({Reason}); the next metrics report carries it")]
    private static partial void LogFailed(ILogger logger, string revision, string reason);
}
