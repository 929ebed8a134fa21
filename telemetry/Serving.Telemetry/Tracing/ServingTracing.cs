using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Serving.Telemetry.Tracing;

/// <summary>The OpenTelemetry SDK for a host: its activity sources, W3C trace context from callers, the exporters asked for.</summary>
public static class ServingTracing
{
    /// <summary>
    /// Registers a tracer provider listening to <paramref name="sources"/> when <paramref name="options"/> asks for
    /// any export; otherwise nothing (no listener, so the sources create no span).
    /// </summary>
    public static IServiceCollection AddServingTracing(this IServiceCollection services, TracingOptions options, params string[] sources)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .WithTracing(tracing =>
            {
                // A caller's sampling decision (the traceparent's flag) is followed; a request without one is traced.
                tracing.AddSource(sources).SetSampler(new ParentBasedSampler(new AlwaysOnSampler()));
                if (options.OtlpEndpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(otlp => otlp.Endpoint = endpoint);
                }
                else if (options.OtlpFromEnvironment)
                {
                    tracing.AddOtlpExporter();
                }

                if (options.Output == TracingOptions.Console)
                {
                    tracing.AddConsoleExporter();
                }
                else if (options.Output is { } file)
                {
                    tracing.AddProcessor(new BatchActivityExportProcessor(new JsonLinesExporter(file), scheduledDelayMilliseconds: 1000));
                }
            });
        return services;
    }
}
