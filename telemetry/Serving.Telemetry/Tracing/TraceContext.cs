using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Serving.Telemetry.Tracing;

/// <summary>W3C trace context (<c>traceparent</c>, <c>tracestate</c>) in and out of HTTP requests.</summary>
public static class TraceContext
{
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    /// <summary>
    /// The server span of a request, child of the caller's span when its headers carry one; null when nothing listens to
    /// <paramref name="source"/> (tracing off: no header is read, nothing is allocated).
    /// </summary>
    public static Activity? StartServer(ActivitySource source, string name, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(request);
        if (!source.HasListeners())
        {
            return null;
        }

        var headers = request.Headers;
        ActivityContext.TryParse(headers[TraceParent], headers[TraceState], isRemote: true, out var parent);
        return source.StartActivity(name, ActivityKind.Server, parent);
    }

    /// <summary>A span that already happened (its start and end were stamped by the caller), under <paramref name="parent"/>.</summary>
    public static void Record(ActivitySource source, string name, ActivityContext parent, DateTimeOffset start, DateTimeOffset end, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var span = source.StartActivity(name, ActivityKind.Internal, parent, startTime: start);
        if (span is null)
        {
            return;
        }

        foreach (var (key, value) in tags)
        {
            span.SetTag(key, value);
        }

        span.SetEndTime(end.UtcDateTime);
    }
}
