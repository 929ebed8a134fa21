using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Serving.Scaler.Feed;

/// <summary>
/// The feed through Redis. Each gateway replica keeps one key, <c>{prefix}:replica:{id}</c>, holding its latest
/// report with a time to live, and lists itself in the set <c>{prefix}:replicas</c>; the scaler reads the set, then the
/// keys in one <c>MGET</c>, and drops members whose key has expired. Activation events go over the pub/sub channel
/// <c>{prefix}:activate</c>. The connection reconnects by itself; while Redis is away calls fail at once (no backlog),
/// so a caller never waits on it and never sends stale data late.
/// </summary>
public sealed partial class RedisMetricsStore : IMetricsStore, IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;
    private readonly ILogger _logger;
    private readonly RedisKey _replicas;
    private readonly string _replicaPrefix;
    private readonly RedisChannel _activate;
    private readonly HashSet<string> _warnedReplicas = new(StringComparer.Ordinal);
    private Action<RevisionId>? _subscribed;

    private RedisMetricsStore(ConnectionMultiplexer redis, RedisFeedOptions options, ILogger logger)
    {
        _redis = redis;
        _logger = logger;
        _replicas = $"{options.Prefix}:replicas";
        _replicaPrefix = $"{options.Prefix}:replica:";
        _activate = RedisChannel.Literal($"{options.Prefix}:activate");
    }

    /// <summary>
    /// Connects (waiting at most ~2 s). When Redis cannot be reached the store is still returned and keeps trying in
    /// the background; until then its calls throw.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint is not a valid Redis configuration.</exception>
    public static RedisMetricsStore Connect(RedisFeedOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = ConfigurationOptions.Parse(options.Endpoint);
        config.AbortOnConnectFail = false;
        config.ClientName = options.ClientName;
        config.ConnectTimeout = 2000;
        config.ConnectRetry = 1;
        config.SyncTimeout = 1000;
        config.AsyncTimeout = 1000;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ReconnectRetryPolicy = new LinearRetry(500);
        config.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
        return new RedisMetricsStore(ConnectionMultiplexer.Connect(config), options, logger ?? NullLogger.Instance);
    }

    public bool IsConnected => _redis.IsConnected;

    public async Task PublishAsync(ReplicaReport report, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var db = _redis.GetDatabase();
        var set = db.StringSetAsync(_replicaPrefix + report.Replica, ReportJson.Encode(report), ttl);
        var add = db.SetAddAsync(_replicas, report.Replica);
        await Task.WhenAll(set, add).WaitAsync(cancellationToken);
    }

    public async Task ActivateAsync(RevisionId revision, CancellationToken cancellationToken) =>
        await _redis.GetSubscriber().PublishAsync(_activate, ReportJson.Encode(revision)).WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<ReplicaReport>> ReadAsync(CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var members = await db.SetMembersAsync(_replicas).WaitAsync(cancellationToken);
        if (members.Length == 0)
        {
            return [];
        }

        var keys = Array.ConvertAll(members, m => (RedisKey)(_replicaPrefix + m));
        var values = await db.StringGetAsync(keys).WaitAsync(cancellationToken);
        var reports = new List<ReplicaReport>(values.Length);
        var gone = new List<RedisValue>();
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i].IsNull)
            {
                gone.Add(members[i]);
                continue;
            }

            try
            {
                reports.Add(ReportJson.DecodeReport((byte[])values[i]!));
            }
            catch (JsonException e)
            {
                if (_warnedReplicas.Add(members[i]!))
                {
                    LogBadReport(_logger, members[i]!, e.Message);
                }
            }
        }

        if (gone.Count > 0)
        {
            // Expired replicas leave the set; one that is still alive adds itself back with its next report.
            _ = db.SetRemoveAsync(_replicas, [.. gone], CommandFlags.FireAndForget);
        }

        return reports;
    }

    public async Task SubscribeAsync(Action<RevisionId> onActivation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onActivation);
        if (_subscribed is not null)
        {
            return;
        }

        // StackExchange.Redis subscribes again by itself after every reconnect.
        await _redis.GetSubscriber().SubscribeAsync(_activate, (_, message) =>
        {
            try
            {
                onActivation(ReportJson.DecodeRevision((byte[])message!));
            }
            catch (JsonException e)
            {
                LogBadActivation(_logger, e.Message);
            }
        }).WaitAsync(cancellationToken);
        _subscribed = onActivation;
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Ignoring the unreadable metrics report of gateway replica {Replica}: {Reason}")]
    private static partial void LogBadReport(ILogger logger, string replica, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Ignoring an unreadable activation event: {Reason}")]
    private static partial void LogBadActivation(ILogger logger, string reason);
}
