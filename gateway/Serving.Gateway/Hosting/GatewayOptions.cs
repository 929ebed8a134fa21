using Microsoft.Extensions.Logging;
using Serving.Gateway.Activation;

namespace Serving.Gateway.Hosting;

public sealed record GatewayOptions
{
    /// <summary>Where inference traffic comes in; 0.0.0.0 as cluster ingress.</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Admin endpoints (/healthz, /metrics, /status) listen apart from inference traffic.</summary>
    public string AdminAddress { get; init; } = "127.0.0.1";

    public int AdminPort { get; init; } = 8081;

    /// <summary>The domain of KServe hosts: <c>{isvc}.{ns}.{domain}</c>.</summary>
    public string Domain { get; init; } = "example.com";

    public ActivatorOptions Activator { get; init; } = new();

    /// <summary>How long a replica may stay silent while answering.</summary>
    public TimeSpan BackendTimeout { get; init; } = TimeSpan.FromSeconds(300);

    /// <summary>Optional JSON file of routes (a list of <see cref="Model.ServiceRoute"/>), reloaded when it changes.</summary>
    public string? RoutesFile { get; init; }

    /// <summary>
    /// Regular expressions (unanchored, as KServe's <c>router.headers.propagate</c>) over Go-canonical header names
    /// (<c>X-Request-Id</c>): the incoming headers an InferenceGraph passes on to its steps. None by default.
    /// </summary>
    public IReadOnlyList<string> GraphPropagateHeaders { get; init; } = [];

    /// <summary>Largest request body an InferenceGraph buffers (graph steps need the whole JSON).</summary>
    public long GraphMaxBodyBytes { get; init; } = 64L << 20;

    /// <summary>Redis <c>host:port</c> to publish load and activation events to for the scaler; null = none.</summary>
    public string? Redis { get; init; }

    /// <summary>Prefix of the feed's Redis keys and channel (the scaler must use the same).</summary>
    public string RedisPrefix { get; init; } = "serving";

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Where request code runs once a socket has data; see <see cref="IoMode"/>.</summary>
    public IoMode Io { get; init; } = IoMode.Inline;
}
