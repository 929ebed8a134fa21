namespace Serving.Telemetry.Tracing;

/// <summary>
/// Where a host sends its spans: OTLP (<c>--otlp-endpoint</c>, or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> /
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>), and/or the console or a file of JSON lines (<c>--trace-to console|FILE</c>,
/// or <c>SERVING_TRACE_TO</c>). With none of them tracing is off: nothing listens to the platform's activity sources, so
/// no span is created and requests pay one check of a field.
/// </summary>
public sealed record TracingOptions
{
    /// <summary>The variable a parent process (the local platform) uses to pass <c>--trace-to</c> to the runtimes it starts.</summary>
    public const string TraceToVariable = "SERVING_TRACE_TO";

    public const string Console = "console";

    public static readonly TracingOptions Off = new();

    /// <summary>OTLP collector; null: none given (the exporter still honours the OTEL_ variables when <see cref="OtlpFromEnvironment"/>).</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>An OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT variable is set: export by OTLP with the exporter's own reading of the OTEL_ variables.</summary>
    public bool OtlpFromEnvironment { get; init; }

    /// <summary><see cref="Console"/>, or the path of a file that gets one JSON object per span, appended (several processes may share it).</summary>
    public string? Output { get; init; }

    /// <summary>The resource's <c>service.name</c> (OTEL_SERVICE_NAME wins, as the SDK does).</summary>
    public string ServiceName { get; init; } = "serving";

    public bool Enabled => OtlpEndpoint is not null || OtlpFromEnvironment || Output is not null;

    /// <summary>
    /// Reads the command line's values, falling back to the environment; throws <see cref="ArgumentException"/> naming the
    /// option when a value cannot be used.
    /// </summary>
    public static TracingOptions From(string? otlpEndpoint, string? traceTo, string serviceName, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        Uri? endpoint = null;
        if (otlpEndpoint is not null
            && (!Uri.TryCreate(otlpEndpoint, UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            throw new ArgumentException($"--otlp-endpoint must be an http:// or https:// URL (a collector, e.g. http://127.0.0.1:4317), not '{otlpEndpoint}'");
        }

        string? output = traceTo ?? (environment(TraceToVariable) is { Length: > 0 } variable ? variable : null);
        if (output is not null && output != Console)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(output));
            if (output.Length == 0 || (folder is not null && !Directory.Exists(folder)))
            {
                throw new ArgumentException($"--trace-to must be 'console' or a file in an existing folder, not '{output}'");
            }

            output = Path.GetFullPath(output);
        }

        return new TracingOptions
        {
            OtlpEndpoint = endpoint,
            OtlpFromEnvironment = endpoint is null
                && (environment("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } || environment("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is { Length: > 0 }),
            Output = output,
            ServiceName = serviceName,
        };
    }

    /// <summary>
    /// The environment that gives a child process (a runtime replica) the same destination: the OTLP endpoint, and the
    /// file (console output stays with this process: a child's console is read by its parent).
    /// </summary>
    public IReadOnlyDictionary<string, string> ForChild()
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (OtlpEndpoint is { } endpoint)
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString();
        }

        if (Output is { } output && output != Console)
        {
            env[TraceToVariable] = output;
        }

        return env;
    }
}
