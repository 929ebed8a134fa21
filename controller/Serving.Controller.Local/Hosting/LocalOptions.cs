using System.Globalization;
using Microsoft.Extensions.Logging;
using Serving.Autoscaling.Configuration;
using Serving.Gateway.Hosting;
using Serving.Scaler.Hosting;
using Serving.Telemetry.Tracing;

namespace Serving.Controller.Local.Hosting;

/// <summary>The one-machine platform's command line: the gateway's settings and the local backend's.</summary>
/// <param name="Scaler">The KEDA external scaler served beside the gateway (null: none).</param>
public sealed record LocalOptions(GatewayOptions Gateway, LocalPlatformOptions Platform, ScalerOptions? Scaler = null)
{
    public const string Usage = """
        usage: serving-local --manifests DIR --runtime PATH [options]
          --manifests DIR              folder of KServe YAML to run, watched for changes
          --runtime PATH               the serving-runtime program (apphost or .dll) started per replica
          --storage-root DIR           relative storageUri paths resolve against it (default: current directory)
          --state DIR                  what survives a restart: creation times, status, revisions (default .serving-local)
          --host ADDRESS               gateway address (default 127.0.0.1)
          --port PORT                  gateway port (default 8080; 0 = any free port)
          --admin-port PORT            admin port: /status, /routes, /metrics, /healthz (default 8081; 0 = any)
          --domain DOMAIN              hosts are {isvc}.{namespace}.{domain} (default example.com)
          --scaler-port PORT|off       the KEDA external scaler (gRPC) on 127.0.0.1 (default 9090; 0 = any)
          --scale-to-zero-grace S      seconds an idle revision keeps a replica after its window (default 30)
          --api-keys FILE              named API keys (name:key a line) for services annotated
                                       serving.kserve.io/auth: api-key; reloaded on change (default none)
          --log-level LEVEL            Trace, Debug, Information, Warning, Error (default Information)
          --otlp-endpoint URL          export traces (gateway and runtimes) by OTLP (default: OTEL_EXPORTER_OTLP_ENDPOINT)
          --trace-to console|FILE      also write spans to the console (the gateway's only), or append the gateway's and
                                       every runtime's to FILE as JSON lines: one cold start is one trace there
        """;

    public static LocalOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new LocalOptionsException($"unexpected argument '{arg}'");
            }

            string name = arg[2..];
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            string value;
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else
            {
                value = i + 1 < args.Count ? args[++i] : throw new LocalOptionsException($"option --{name} needs a value");
            }

            values[name] = value;
        }

        string? Take(string name) => values.Remove(name, out string? v) ? v : null;
        int Port(string name, int fallback) => Take(name) is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535
                ? port
                : throw new LocalOptionsException($"--{name} must be a port number (0-65535), got '{text}'")
            : fallback;

        string manifests = Take("manifests") ?? throw new LocalOptionsException("--manifests is required");
        string runtime = Take("runtime") ?? throw new LocalOptionsException("--runtime is required");
        if (!Directory.Exists(manifests))
        {
            throw new LocalOptionsException($"--manifests: folder '{manifests}' does not exist");
        }

        if (!File.Exists(runtime))
        {
            throw new LocalOptionsException($"--runtime: '{runtime}' does not exist (build runtime/Serving.Runtime.Host first)");
        }

        var autoscaling = AutoscalingConfig.Default;
        if (Take("scale-to-zero-grace") is { } grace)
        {
            autoscaling = double.TryParse(grace, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is >= 0 and <= 3600
                ? autoscaling with { ScaleToZeroGracePeriod = TimeSpan.FromSeconds(seconds) }
                : throw new LocalOptionsException($"--scale-to-zero-grace must be seconds between 0 and 3600, got '{grace}'");
        }

        var logLevel = LogLevel.Information;
        if (Take("log-level") is { } level && !Enum.TryParse(level, ignoreCase: true, out logLevel))
        {
            throw new LocalOptionsException($"--log-level: unknown level '{level}'");
        }

        TracingOptions tracing;
        try
        {
            tracing = TracingOptions.From(Take("otlp-endpoint"), Take("trace-to"), "serving-local");
        }
        catch (ArgumentException e)
        {
            throw new LocalOptionsException(e.Message);
        }

        var gateway = new GatewayOptions
        {
            Address = Take("host") ?? "127.0.0.1",
            Port = Port("port", 8080),
            AdminPort = Port("admin-port", 8081),
            Domain = Take("domain") ?? "example.com",
            LogLevel = logLevel,
            Auth = new() { ApiKeysFile = Take("api-keys") is { } keys ? ExistingFile("api-keys", keys) : null },
            Tracing = tracing,
        };
        var platform = new LocalPlatformOptions
        {
            ManifestDirectory = Path.GetFullPath(manifests),
            RuntimePath = Path.GetFullPath(runtime),
            StorageRoot = Path.GetFullPath(Take("storage-root") ?? Directory.GetCurrentDirectory()),
            StateDirectory = Path.GetFullPath(Take("state") ?? ".serving-local"),
            Autoscaling = autoscaling,
            ReplicaEnvironment = tracing.ForChild(),
        };
        ScalerOptions? scaler = new() { LogLevel = logLevel };
        if (Take("scaler-port") is { } scalerPort)
        {
            scaler = scalerPort == "off" ? null
                : int.TryParse(scalerPort, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535 ? scaler with { Port = p }
                : throw new LocalOptionsException($"--scaler-port must be a port number (0-65535) or 'off', got '{scalerPort}'");
        }

        if (values.Count > 0)
        {
            throw new LocalOptionsException($"unknown option --{values.Keys.First()}");
        }

        return new LocalOptions(gateway, platform, scaler);
    }

    private static string ExistingFile(string name, string path) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new LocalOptionsException($"--{name}: file '{path}' does not exist");
}

public sealed class LocalOptionsException(string message) : Exception(message);
