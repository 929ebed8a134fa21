using Microsoft.Extensions.Logging;

namespace Serving.Scaler.Hosting;

/// <summary>How the scaler listens and where it reads the gateways' feed.</summary>
public sealed record ScalerOptions
{
    /// <summary>gRPC listener; KEDA's usual scaler port is 9090.</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 9090;

    /// <summary>Redis <c>host:port</c> the gateways publish to; null = a feed handed in by the hosting process.</summary>
    public string? Redis { get; init; }

    /// <summary>Prefix of the feed's Redis keys and channel (the gateways must use the same).</summary>
    public string RedisPrefix { get; init; } = "serving";

    /// <summary>How often the feed is read (gateways publish every ~100 ms).</summary>
    public TimeSpan ReadInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long last known values are served while the feed is unreachable; after that, RPCs fail.</summary>
    public TimeSpan MaxStaleness { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle <c>StreamIsActive</c> stream gets a <c>false</c> heartbeat.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// HTTP/2 streams per connection: KEDA shares one connection for every ScaledObject and holds one stream per
    /// push trigger (two on KEDA main); Kestrel's default of 100 would queue the rest.
    /// </summary>
    public int MaxStreamsPerConnection { get; init; } = 10_000;

    /// <summary>PEM server certificate; with <see cref="TlsKey"/>, the listener speaks TLS.</summary>
    public string? TlsCertificate { get; init; }

    public string? TlsKey { get; init; }

    /// <summary>PEM CA: clients must present a certificate it signed (KEDA's <c>tlsClientCert</c>).</summary>
    public string? TlsClientCa { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
