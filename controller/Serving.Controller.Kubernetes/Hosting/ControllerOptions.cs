using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serving.Controller.Kubernetes.Objects;

namespace Serving.Controller.Kubernetes.Hosting;

/// <summary>The controller's command line.</summary>
public sealed record ControllerOptions
{
    public const string Usage = """
        usage: serving-controller [options]
               serving-controller crds [--output DIR]     the CustomResourceDefinitions (stdout, or one file each in DIR)
          --kubeconfig PATH            kubeconfig to use (default: in-cluster config inside a pod, else ~/.kube/config)
          --namespace NS               watch one namespace (default: all)
          --scaler-address HOST:PORT   where KEDA reaches the platform's external scaler (default serving-scaler.serving-system.svc:9090)
          --scaler-tls true|false      KEDA dials the scaler over TLS: every trigger gets enableTLS "true" (default false)
          --scaler-trigger-authentication [KIND/]NAME   the triggers' authenticationRef, where KEDA reads caCert,
                                       tlsClientCert and tlsClientKey: NAME or TriggerAuthentication/NAME (in each
                                       ScaledObject's namespace), ClusterTriggerAuthentication/NAME (default: none)
          --domain DOMAIN              hosts are {isvc}.{namespace}.{domain} (default example.com)
          --gateway-service NAME.NS    the gateway's Service: each InferenceService gets an ExternalName Service
                                       {isvc} aliasing it, for http://{isvc}.{ns}.svc.cluster.local
                                       (default serving-gateway.serving-system)
          --storage-initializer-image IMAGE   the model download init container's image (default: the runtime's own)
          --retire-grace-s S           how long a revision traffic left keeps its replicas, for gateways to
                                       catch up with the status, before it is scaled down or deleted (default 10)
          --workers N                  InferenceServices reconciled at once (default 2)
          --leader-elect true|false    one active replica, the others standing by (default true)
          --lease-namespace NS         where the leader election Lease is (default: the pod's namespace, else default)
          --lease-name NAME            the Lease (default serving-controller)
          --identity ID                this replica's name in the Lease (default: host name and pid)
          --lease-duration-s S         how long a leader's Lease holds without renewal (default 15)
          --renew-deadline-s S         how long a leader tries to renew before it gives up (default 10)
          --retry-period-s S           how often candidates try (default 2)
          --health-port PORT           /healthz and /readyz on 0.0.0.0 (default 8080; 0: no listener)
          --log-level LEVEL            Trace, Debug, Information, Warning, Error (default Information)
        """;

    private static readonly string[] Known =
    [
        "kubeconfig", "namespace", "scaler-address", "scaler-tls", "scaler-trigger-authentication", "domain", "gateway-service", "storage-initializer-image",
        "retire-grace-s", "workers", "leader-elect", "lease-namespace",
        "lease-name", "identity", "lease-duration-s", "renew-deadline-s", "retry-period-s", "health-port", "log-level",
    ];

    public string? Kubeconfig { get; init; }

    public string? Namespace { get; init; }

    public string ScalerAddress { get; init; } = "serving-scaler.serving-system.svc:9090";

    public bool ScalerTls { get; init; }

    public TriggerAuthenticationRef? ScalerTriggerAuthentication { get; init; }

    public string Domain { get; init; } = "example.com";

    public string GatewayService { get; init; } = Objects.ObjectSettings.DefaultGatewayService;

    public string? StorageInitializerImage { get; init; }

    public TimeSpan RetireGrace { get; init; } = TimeSpan.FromSeconds(10);

    public int Workers { get; init; } = 2;

    public bool LeaderElect { get; init; } = true;

    public string? LeaseNamespace { get; init; }

    public string LeaseName { get; init; } = "serving-controller";

    public string Identity { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public int HealthPort { get; init; } = 8080;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <exception cref="ControllerOptionsException">An unknown option or a bad value, named.</exception>
    public static ControllerOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ControllerOptionsException($"unexpected argument '{args[i]}'");
            }

            if (!args[i].Contains('=', StringComparison.Ordinal) && ++i >= args.Length)
            {
                throw new ControllerOptionsException($"option {args[^1]} needs a value");
            }
        }

        var config = new ConfigurationBuilder().AddCommandLine(args).Build();
        if (config.AsEnumerable().Select(p => p.Key).FirstOrDefault(k => !Known.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw new ControllerOptionsException($"unknown option --{unknown}");
        }

        var defaults = new ControllerOptions();
        return new ControllerOptions
        {
            Kubeconfig = config["kubeconfig"],
            Namespace = config["namespace"],
            ScalerAddress = config["scaler-address"] ?? defaults.ScalerAddress,
            ScalerTls = Boolean(config, "scaler-tls", defaults.ScalerTls),
            ScalerTriggerAuthentication = config["scaler-trigger-authentication"] is { } authentication
                ? TriggerAuthenticationRef.TryParse(authentication)
                    ?? throw new ControllerOptionsException(
                        $"--scaler-trigger-authentication must be NAME, TriggerAuthentication/NAME or ClusterTriggerAuthentication/NAME, got '{authentication}'")
                : null,
            Domain = config["domain"] ?? defaults.Domain,
            GatewayService = config["gateway-service"] is { } gateway ? GatewayServiceName(gateway) : defaults.GatewayService,
            StorageInitializerImage = config["storage-initializer-image"],
            RetireGrace = TimeSpan.FromSeconds(Integer(config, "retire-grace-s", (int)defaults.RetireGrace.TotalSeconds, 0, 3600)),
            Workers = Integer(config, "workers", defaults.Workers, 1, 64),
            LeaderElect = Boolean(config, "leader-elect", defaults.LeaderElect),
            LeaseNamespace = config["lease-namespace"],
            LeaseName = config["lease-name"] ?? defaults.LeaseName,
            Identity = config["identity"] ?? defaults.Identity,
            LeaseDuration = TimeSpan.FromSeconds(Integer(config, "lease-duration-s", 15, 2, 600)),
            RenewDeadline = TimeSpan.FromSeconds(Integer(config, "renew-deadline-s", 10, 1, 600)),
            RetryPeriod = TimeSpan.FromSeconds(Integer(config, "retry-period-s", 2, 1, 60)),
            HealthPort = Integer(config, "health-port", defaults.HealthPort, 0, 65535),
            LogLevel = config["log-level"] is { } level
                ? Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed) ? parsed : throw new ControllerOptionsException($"--log-level: unknown level '{level}'")
                : defaults.LogLevel,
        };
    }

    /// <summary><c>name.namespace</c>: two DNS labels (the externalName is that plus <c>.svc.cluster.local</c>).</summary>
    private static string GatewayServiceName(string text) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
            ? text
            : throw new ControllerOptionsException($"--gateway-service must be NAME.NAMESPACE (the gateway's Service), got '{text}'");

    private static int Integer(IConfiguration config, string name, int fallback, int min, int max) =>
        config[name] is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max ? value
        : throw new ControllerOptionsException($"--{name} must be a whole number from {min} to {max}, got '{text}'");

    private static bool Boolean(IConfiguration config, string name, bool fallback) =>
        config[name] is not { } text ? fallback
        : bool.TryParse(text, out bool value) ? value
        : throw new ControllerOptionsException($"--{name} must be true or false, got '{text}'");
}

public sealed class ControllerOptionsException(string message) : Exception(message);
