using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Serving.Scaler.Hosting;

/// <summary>Reads <c>--name value</c> / <c>--name=value</c>; an unknown or repeated name is an error naming it.</summary>
public static class ScalerOptionsParser
{
    public const string Usage = """
        usage: serving-scaler [options]
          --address ADDRESS            gRPC listener (default 127.0.0.1; 0.0.0.0 in a pod)
          --port PORT                  gRPC port (default 9090; 0 = any free port)
          --redis HOST:PORT            Redis the gateways publish their metrics to (required when run alone)
          --redis-prefix PREFIX        prefix of the feed's keys and channel (default serving)
          --max-staleness-s S          serve last known values this long while Redis is away, then fail RPCs (default 15)
          --heartbeat-s S              idle StreamIsActive streams get a false heartbeat this often (default 30)
          --max-streams N              HTTP/2 streams per connection: 2 x push ScaledObjects or more (default 10000)
          --tls-cert FILE              PEM server certificate (with --tls-key: serve TLS)
          --tls-key FILE               PEM private key of --tls-cert
          --tls-client-ca FILE         PEM CA that must have signed the client's certificate (KEDA tlsClientCert)
          --log-level LEVEL            Trace, Debug, Information, Warning, Error (default Information)
        """;

    public static ScalerOptions Parse(IReadOnlyList<string> args)
    {
        var values = Read(args);
        var options = new ScalerOptions();
        foreach (var (name, value) in values)
        {
            options = name switch
            {
                "address" => options with { Address = IPAddress.TryParse(value, out _) ? value : throw Bad(name, value, "an IP address (0.0.0.0 for every interface)") },
                "port" => options with { Port = Int(name, value, 0, 65535) },
                "redis" => options with { Redis = Endpoint(value) },
                "redis-prefix" => options with { RedisPrefix = value.Length > 0 ? value : throw Bad(name, value, "a non-empty prefix") },
                "max-staleness-s" => options with { MaxStaleness = Seconds(name, value) },
                "heartbeat-s" => options with { Heartbeat = Seconds(name, value) },
                "max-streams" => options with { MaxStreamsPerConnection = Int(name, value, 100, int.MaxValue) },
                "tls-cert" => options with { TlsCertificate = value },
                "tls-key" => options with { TlsKey = value },
                "tls-client-ca" => options with { TlsClientCa = value },
                "log-level" => options with
                {
                    LogLevel = Enum.TryParse<LogLevel>(value, ignoreCase: true, out var level)
                        ? level
                        : throw Bad(name, value, string.Join(", ", Enum.GetNames<LogLevel>())),
                },
                _ => throw new ScalerOptionsException($"unknown option --{name}"),
            };
        }

        if ((options.TlsCertificate is null) != (options.TlsKey is null))
        {
            throw new ScalerOptionsException("--tls-cert and --tls-key go together");
        }

        if (options.TlsClientCa is not null && options.TlsCertificate is null)
        {
            throw new ScalerOptionsException("--tls-client-ca needs --tls-cert and --tls-key");
        }

        return options;
    }

    /// <summary>Checks a <c>host:port</c> endpoint; shared with the gateway's <c>--redis</c>.</summary>
    public static string Endpoint(string value)
    {
        int colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535
            ? value
            : throw new ScalerOptionsException($"--redis must be HOST:PORT, not '{value}'");
    }

    private static List<(string Name, string Value)> Read(IReadOnlyList<string> args)
    {
        var values = new List<(string, string)>();
        for (int i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ScalerOptionsException($"unexpected argument '{args[i]}'");
            }

            string[] parts = args[i][2..].Split('=', 2);
            string value = parts.Length == 2 ? parts[1]
                : i + 1 < args.Count ? args[++i]
                : throw new ScalerOptionsException($"option {args[i]} needs a value");
            if (values.Any(v => v.Item1 == parts[0]))
            {
                throw new ScalerOptionsException($"option --{parts[0]} is given twice");
            }

            values.Add((parts[0], value));
        }

        return values;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw Bad(name, value, $"an integer from {min} to {max}");

    private static TimeSpan Seconds(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 86_400
            ? TimeSpan.FromSeconds(s)
            : throw Bad(name, value, "a number of seconds above 0");

    private static ScalerOptionsException Bad(string name, string value, string expected) =>
        new($"--{name} must be {expected}, not '{value}'");
}

public sealed class ScalerOptionsException(string message) : Exception(message);
