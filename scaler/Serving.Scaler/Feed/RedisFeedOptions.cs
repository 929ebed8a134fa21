namespace Serving.Scaler.Feed;

/// <summary>Where the feed lives in Redis.</summary>
public sealed record RedisFeedOptions
{
    /// <summary><c>host:port</c> (or a StackExchange.Redis configuration string).</summary>
    public required string Endpoint { get; init; }

    /// <summary>Prefix of every key and channel, so that several platforms (or tests) can share one Redis.</summary>
    public string Prefix { get; init; } = "serving";

    /// <summary>Names this connection in <c>CLIENT LIST</c>.</summary>
    public string ClientName { get; init; } = "serving";
}
