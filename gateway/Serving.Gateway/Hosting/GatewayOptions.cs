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

    /// <summary>Optional JSON file of routes (a list of <see cref="Model.ServiceRoute"/>), reloaded when it changes (<see cref="Sources.RoutesFileSource"/>).</summary>
    public string? RoutesFile { get; init; }

    /// <summary>Routes from a Kubernetes API server (cluster mode, <see cref="Sources.Kubernetes.KubernetesRouteSource"/>); null = none.</summary>
    public ClusterOptions? Cluster { get; init; }

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

    /// <summary>
    /// Socket event threads (.NET's <c>DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT</c>); null keeps .NET's choice, one per
    /// core with inline I/O. Fewer than the cores suits a gateway that shares its machine (see <see cref="IoScheduling"/>).
    /// </summary>
    public int? IoThreads { get; init; }

    /// <summary>
    /// Clients whose X-Forwarded-*, Forwarded and X-Real-IP headers are believed (a load balancer in front); for anyone
    /// else the gateway sets X-Forwarded-* itself and drops the rest. None by default.
    /// </summary>
    public Proxy.TrustedProxies TrustedProxies { get; init; } = Proxy.TrustedProxies.None;

    /// <summary>Largest request body the gateway takes, declared or streamed (413 beyond it, and the connection closes).</summary>
    public long MaxRequestBodyBytes { get; init; } = 64L << 20;

    /// <summary>Connections open at once to one replica, on either forwarding path; requests beyond wait for one.</summary>
    public int MaxConnectionsPerReplica { get; init; } = 1024;

    /// <summary>
    /// Whether logs may carry bytes of requests or responses (a malformed replica answer's head, for one). Off: logs
    /// name what went wrong and never quote a payload, at any level.
    /// </summary>
    public bool LogPayloads { get; init; }

    /// <summary>API keys and JWT checking for services and graphs whose annotations ask for auth.</summary>
    public Auth.AuthOptions Auth { get; init; } = new();

    /// <summary>Where spans go (OTLP, the console, a file); off by default: no span is created at all.</summary>
    public Serving.Telemetry.Tracing.TracingOptions Tracing { get; init; } = Serving.Telemetry.Tracing.TracingOptions.Off;

    /// <summary>How requests reach replicas; see <see cref="ForwarderMode"/>.</summary>
    public ForwarderMode Forwarder { get; init; } = ForwarderMode.Direct;
}

/// <summary>Where the gateway finds its API server, and what it watches there.</summary>
/// <param name="Kubeconfig">A kubeconfig file; null: the pod's service account (in-cluster config).</param>
/// <param name="Namespace">One namespace to route; null: all.</param>
public sealed record ClusterOptions(string? Kubeconfig, string? Namespace);

public enum ForwarderMode
{
    /// <summary>
    /// Plain HTTP/1.x requests with small bodies go over the gateway's own pooled HTTP/1.1 connections
    /// (<see cref="Proxy.Http1.Http1Forwarder"/>); everything else through YARP.
    /// </summary>
    Direct,

    /// <summary>Every request through YARP's forwarder.</summary>
    Yarp,
}
