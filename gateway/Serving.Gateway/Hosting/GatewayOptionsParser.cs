using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Serving.Gateway.Hosting;

/// <summary>Reads <c>--name value</c> / <c>--name=value</c>; any unknown name is an error, not silently ignored.</summary>
public static class GatewayOptionsParser
{
    public const string Usage = """
        usage: serving-gateway [options]
          --address ADDRESS            inference listener (default 127.0.0.1; 0.0.0.0 as ingress)
          --port PORT                  inference port (default 8080; 0 = any free port)
          --admin-address ADDRESS      admin listener: /healthz, /metrics, /status (default 127.0.0.1)
          --admin-port PORT            admin port (default 8081)
          --domain DOMAIN              KServe host domain (default example.com)
          --queue-limit N              requests held per revision while it has no free replica (default 1000)
          --queue-limit-total N        requests held by the whole gateway (default 10000)
          --activation-timeout-s S     how long a held request waits for a replica (default 60)
          --backend-timeout-s S        how long a replica may stay silent (default 300)
          --routes FILE                JSON list of routes to serve, reloaded on change (optional)
          --kubernetes                 cluster mode: routes from the Kubernetes API server, with the pod's service
                                       account (watches InferenceServices, InferenceGraphs and EndpointSlices)
          --kubeconfig PATH            cluster mode with this kubeconfig (outside a pod)
          --namespace NS               cluster mode: route this namespace only (default: all namespaces)
          --graph-propagate-headers R  comma-separated regexes of header names InferenceGraph steps receive
                                       (KServe's router.headers.propagate, e.g. 'Authorization,X-Request-.*')
          --redis HOST:PORT            publish load and activation events to the scaler through this Redis (optional)
          --redis-prefix PREFIX        prefix of the feed's Redis keys and channel (default serving)
          --log-level LEVEL            Trace, Debug, Information, Warning, Error (default Information)
          --io MODE                    inline: request code runs on the socket threads (default; least CPU per
                                       request); threadpool: .NET's default hand-off to the thread pool
          --io-threads N               socket event threads (default: .NET's choice, one per core with --io inline);
                                       1 where the gateway shares a small machine
          --trusted-proxies CIDRS      comma-separated addresses or CIDR ranges (10.0.0.0/8,127.0.0.1/32) whose
                                       X-Forwarded-*, Forwarded and X-Real-IP headers replicas may see (default none)
          --max-request-bytes N        largest request body, declared or chunked (default 67108864; larger: 413)
          --replica-connections N      connections open at once to one replica (default 1024; more requests wait)
          --log-payloads true|false    let logs quote bytes of requests and responses (default false: never, at any level)
          --api-keys FILE              named API keys (name:key a line), for services annotated serving.kserve.io/auth:
                                       api-key; reloaded on change (default none: such services answer 503)
          --api-keys-secret [NS/]NAME  cluster mode: the keys are the data of this Secret (entry name: key), followed
                                       by a watch (default namespace: the pod's); instead of --api-keys
          --jwt-clock-skew-s S         how far a token's exp/nbf may be off the clock (default 60)
          --jwks-timeout-s S           how long fetching a JWKS may take (default 5)
          --otlp-endpoint URL          export traces by OTLP to this collector (default: OTEL_EXPORTER_OTLP_ENDPOINT if set, else none)
          --trace-to console|FILE      also write spans to the console, or append them to FILE as JSON lines (default none)
          --forwarder MODE             direct: plain HTTP/1.x requests with bodies up to 64 KiB go over the gateway's
                                       own keep-alive connections, the rest through YARP (default); yarp: all through YARP
        """;

    private static readonly string[] Known =
    [
        "address", "port", "admin-address", "admin-port", "domain", "queue-limit", "queue-limit-total",
        "activation-timeout-s", "backend-timeout-s", "routes", "redis", "redis-prefix", "log-level", "io", "io-threads", "forwarder",
        "graph-propagate-headers", "trusted-proxies", "max-request-bytes", "replica-connections", "log-payloads",
        "api-keys", "api-keys-secret", "jwt-clock-skew-s", "jwks-timeout-s", "kubernetes", "kubeconfig", "namespace", "otlp-endpoint", "trace-to",
    ];

    /// <summary>Options that take no value (<c>--kubernetes</c>; <c>--kubernetes=false</c> is accepted too).</summary>
    private static readonly string[] Switches = ["--kubernetes"];

    public static GatewayOptions Parse(string[] args)
    {
        args = [.. args.Select(a => Switches.Contains(a, StringComparer.OrdinalIgnoreCase) ? a + "=true" : a)];
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new GatewayOptionsException($"unexpected argument '{args[i]}'");
            }

            if (!args[i].Contains('=', StringComparison.Ordinal) && ++i >= args.Length)
            {
                throw new GatewayOptionsException($"option {args[^1]} needs a value");
            }
        }

        IConfiguration config;
        try
        {
            config = new ConfigurationBuilder().AddCommandLine(args).Build();
        }
        catch (FormatException e)
        {
            throw new GatewayOptionsException(e.Message);
        }

        if (config.AsEnumerable().Select(p => p.Key).FirstOrDefault(k => !Known.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw new GatewayOptionsException($"unknown option --{unknown}");
        }

        var defaults = new GatewayOptions();
        var cluster = Cluster(config);
        return new GatewayOptions
        {
            Address = config["address"] ?? defaults.Address,
            Port = Int(config, "port", 0, 65535) ?? defaults.Port,
            AdminAddress = config["admin-address"] ?? defaults.AdminAddress,
            AdminPort = Int(config, "admin-port", 0, 65535) ?? defaults.AdminPort,
            Domain = config["domain"] ?? defaults.Domain,
            Activator = new()
            {
                QueueLimitPerRevision = Int(config, "queue-limit", 0, 1_000_000) ?? defaults.Activator.QueueLimitPerRevision,
                QueueLimitTotal = Int(config, "queue-limit-total", 0, 10_000_000) ?? defaults.Activator.QueueLimitTotal,
                ActivationTimeout = Seconds(config, "activation-timeout-s") ?? defaults.Activator.ActivationTimeout,
            },
            BackendTimeout = Seconds(config, "backend-timeout-s") ?? defaults.BackendTimeout,
            RoutesFile = config["routes"],
            Cluster = cluster,
            GraphPropagateHeaders = config["graph-propagate-headers"] is { } patterns
                ? [.. patterns.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : defaults.GraphPropagateHeaders,
            Redis = config["redis"] is { } redis ? RedisEndpoint(redis) : null,
            RedisPrefix = config["redis-prefix"] is { Length: > 0 } prefix ? prefix : defaults.RedisPrefix,
            LogLevel = config["log-level"] is { } level
                ? Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) ? parsed
                    : throw new GatewayOptionsException($"--log-level must be one of {string.Join(", ", Enum.GetNames<LogLevel>())}, not '{level}'")
                : defaults.LogLevel,
            Io = config["io"] switch
            {
                null => defaults.Io,
                { } io when io.Equals("inline", StringComparison.OrdinalIgnoreCase) => IoMode.Inline,
                { } io when io.Equals("threadpool", StringComparison.OrdinalIgnoreCase) => IoMode.ThreadPool,
                { } io => throw new GatewayOptionsException($"--io must be inline or threadpool, not '{io}'"),
            },
            IoThreads = Int(config, "io-threads", 1, 1024) ?? defaults.IoThreads,
            TrustedProxies = config["trusted-proxies"] is { } proxies ? TrustedProxies(proxies) : defaults.TrustedProxies,
            MaxRequestBodyBytes = Long(config, "max-request-bytes", 1, long.MaxValue) ?? defaults.MaxRequestBodyBytes,
            MaxConnectionsPerReplica = Int(config, "replica-connections", 1, 1_000_000) ?? defaults.MaxConnectionsPerReplica,
            LogPayloads = config["log-payloads"] switch
            {
                null => defaults.LogPayloads,
                { } flag when bool.TryParse(flag, out bool on) => on,
                { } flag => throw new GatewayOptionsException($"--log-payloads must be true or false, not '{flag}'"),
            },
            Auth = new()
            {
                ApiKeysFile = config["api-keys"] is { } keys ? ExistingFile("api-keys", keys) : null,
                ApiKeysSecret = config["api-keys-secret"] is { } secret ? ApiKeysSecret(secret, config, cluster) : null,
                ClockSkew = Int(config, "jwt-clock-skew-s", 0, 3600) is { } skew ? TimeSpan.FromSeconds(skew) : defaults.Auth.ClockSkew,
                JwksTimeout = Seconds(config, "jwks-timeout-s") ?? defaults.Auth.JwksTimeout,
            },
            Tracing = Tracing(config["otlp-endpoint"], config["trace-to"]),
            Forwarder = config["forwarder"] switch
            {
                null => defaults.Forwarder,
                { } mode when mode.Equals("direct", StringComparison.OrdinalIgnoreCase) => ForwarderMode.Direct,
                { } mode when mode.Equals("yarp", StringComparison.OrdinalIgnoreCase) => ForwarderMode.Yarp,
                { } mode => throw new GatewayOptionsException($"--forwarder must be direct or yarp, not '{mode}'"),
            },
        };
    }

    /// <summary>Cluster mode, when asked for: one route source only, so not with <c>--routes</c>.</summary>
    private static ClusterOptions? Cluster(IConfiguration config)
    {
        bool inCluster = config["kubernetes"] switch
        {
            null => false,
            { } flag when bool.TryParse(flag, out bool on) => on,
            { } flag => throw new GatewayOptionsException($"--kubernetes takes no value (or true/false), not '{flag}'"),
        };
        string? kubeconfig = config["kubeconfig"] is { } path ? ExistingFile("kubeconfig", path) : null;
        string? @namespace = config["namespace"];
        if (inCluster && kubeconfig is not null)
        {
            throw new GatewayOptionsException("--kubernetes (the pod's service account) and --kubeconfig are two ways to reach the API server: give one");
        }

        if (!inCluster && kubeconfig is null)
        {
            return @namespace is null ? null : throw new GatewayOptionsException("--namespace is for cluster mode: add --kubernetes or --kubeconfig PATH");
        }

        if (config["routes"] is not null)
        {
            throw new GatewayOptionsException("--routes and cluster mode (--kubernetes, --kubeconfig) are two route sources: give one");
        }

        if (@namespace is { Length: 0 })
        {
            throw new GatewayOptionsException("--namespace needs a namespace name");
        }

        return new ClusterOptions(kubeconfig, @namespace);
    }

    /// <summary><c>[NAMESPACE/]NAME</c>, in cluster mode and instead of <c>--api-keys</c>.</summary>
    private static Auth.SecretName ApiKeysSecret(string value, IConfiguration config, ClusterOptions? cluster)
    {
        if (cluster is null)
        {
            throw new GatewayOptionsException("--api-keys-secret is for cluster mode: add --kubernetes or --kubeconfig PATH");
        }

        if (config["api-keys"] is not null)
        {
            throw new GatewayOptionsException("--api-keys (a file) and --api-keys-secret (a Secret) are two key stores: give one");
        }

        string[] parts = value.Split('/');
        return parts.Length <= 2 && parts.All(IsDnsName)
            ? new Auth.SecretName(parts.Length == 2 ? parts[0] : null, parts[^1])
            : throw new GatewayOptionsException($"--api-keys-secret must be [NAMESPACE/]NAME (lowercase letters, digits, '-' and '.'), not '{value}'");

        static bool IsDnsName(string s) => s.Length is > 0 and <= 253 && char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1])
            && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');
    }

    private static string ExistingFile(string name, string path) =>
        File.Exists(path) ? path : throw new GatewayOptionsException($"--{name}: file '{path}' does not exist");

    private static Serving.Telemetry.Tracing.TracingOptions Tracing(string? otlpEndpoint, string? traceTo)
    {
        try
        {
            return Serving.Telemetry.Tracing.TracingOptions.From(otlpEndpoint, traceTo, "serving-gateway");
        }
        catch (ArgumentException e)
        {
            throw new GatewayOptionsException(e.Message);
        }
    }

    private static string RedisEndpoint(string value)
    {
        try
        {
            return Serving.Scaler.Hosting.ScalerOptionsParser.Endpoint(value);
        }
        catch (Serving.Scaler.Hosting.ScalerOptionsException e)
        {
            throw new GatewayOptionsException(e.Message);
        }
    }

    private static Proxy.TrustedProxies TrustedProxies(string value)
    {
        try
        {
            return Proxy.TrustedProxies.Parse(value);
        }
        catch (FormatException e)
        {
            throw new GatewayOptionsException($"--trusted-proxies: {e.Message}");
        }
    }

    private static int? Int(IConfiguration config, string name, int min, int max) => (int?)Long(config, name, min, max);

    private static long? Long(IConfiguration config, string name, long min, long max)
    {
        string? value = config[name];
        if (value is null)
        {
            return null;
        }

        return long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n >= min && n <= max
            ? n
            : throw new GatewayOptionsException($"--{name} must be an integer from {min} to {max}, not '{value}'");
    }

    private static TimeSpan? Seconds(IConfiguration config, string name)
    {
        string? value = config[name];
        if (value is null)
        {
            return null;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 86_400
            ? TimeSpan.FromSeconds(s)
            : throw new GatewayOptionsException($"--{name} must be a number of seconds above 0, not '{value}'");
    }
}

public sealed class GatewayOptionsException(string message) : Exception(message);
