using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Revisions;
using Serving.Telemetry.Tracing;

namespace Serving.Gateway.Observability;

/// <summary>
/// The gateway's spans (source <see cref="SourceName"/>): <c>gateway.request</c> (server, child of the caller's
/// <c>traceparent</c>), <c>gateway.route</c> (target, auth, revision), <c>gateway.activator.wait</c> (only for a held
/// request, with the reason it was held), <c>gateway.forward</c> (client span; the replica gets its traceparent), and
/// <c>graph.step</c> per InferenceGraph step. With tracing off nothing listens: every method returns null after one check.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "Serving.Gateway";

    public static readonly ActivitySource Source = new(SourceName);

    public static Activity? StartRequest(HttpContext context)
    {
        var span = TraceContext.StartServer(Source, "gateway.request", context.Request);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("http.request.method", context.Request.Method);
            span.SetTag("url.path", context.Request.Path.Value);
            span.SetTag("server.address", context.Request.Host.Host);
        }

        return span;
    }

    /// <summary>A child of the current span (none when tracing is off).</summary>
    public static Activity? Start(string name, ActivityKind kind = ActivityKind.Internal) => Source.HasListeners() ? Source.StartActivity(name, kind) : null;

    public static void Routed(Activity? span, RevisionState revision)
    {
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("serving.namespace", revision.Key.Namespace);
            span.SetTag("serving.service", revision.Key.Service);
            span.SetTag("serving.revision", revision.Key.Revision);
        }
    }

    public static void Ended(Activity? span, int status, bool coldStart)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("http.response.status_code", status);
        if (coldStart)
        {
            span.SetTag("serving.cold_start", true);
        }

        if (status >= 500)
        {
            span.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>The span of a request sent to a replica; null unless a request span is being recorded.</summary>
    public static Activity? StartForward(Activity? request, string replica, string path)
    {
        if (request is null)
        {
            return null;
        }

        var span = Source.StartActivity("gateway.forward", ActivityKind.Client);
        span?.SetTag("server.address", replica);
        span?.SetTag("serving.forwarder", path);
        return span;
    }

    /// <summary>Puts <paramref name="span"/>'s context on a request the gateway sends itself (a graph step), replacing any there.</summary>
    public static void Inject(Activity? span, System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        if (span is null)
        {
            return;
        }

        headers.Remove(TraceContext.TraceParent);
        headers.Remove(TraceContext.TraceState);
        headers.TryAddWithoutValidation(TraceContext.TraceParent, span.Id);
        if (span.TraceStateString is { } state)
        {
            headers.TryAddWithoutValidation(TraceContext.TraceState, state);
        }
    }

    /// <summary>Whether a header is the trace context the gateway replaces when it forwards inside a recorded span.</summary>
    public static bool IsTraceHeader(string name) =>
        name.Equals(TraceContext.TraceParent, StringComparison.OrdinalIgnoreCase) || name.Equals(TraceContext.TraceState, StringComparison.OrdinalIgnoreCase);
}
