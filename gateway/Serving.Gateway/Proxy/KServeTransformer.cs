using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Model;
using Serving.Gateway.Observability;
using Serving.Telemetry.Tracing;
using Yarp.ReverseProxy.Forwarder;

namespace Serving.Gateway.Proxy;

/// <summary>
/// YARP's request transform for the gateway: copies the request like YARP's default (every end-to-end header,
/// the client's Host included) and applies <see cref="ForwardedHeaders"/>. One instance per service.
/// </summary>
internal sealed class KServeTransformer(ServiceKey service, ForwardedHeaders forwarded) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

        // The target as the client escaped it, as the direct path sends it (YARP's own escaping turns %2F into %252F).
        var request = httpContext.Request;
        proxyRequest.RequestUri = new Uri(
            string.Concat(destinationPrefix.AsSpan().TrimEnd('/'), request.Path.HasValue ? request.Path.ToUriComponent() : "/", request.QueryString.Value),
            new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var sink = new RequestHeadersSink(proxyRequest.Headers);
        forwarded.Apply(httpContext, service, ref sink);
        if (GatewayTracing.Source.HasListeners() && Activity.Current is { OperationName: "gateway.forward" } span && span.Source == GatewayTracing.Source)
        {
            // Traced: the replica's parent is this forward span, not the client's span.
            sink.Set(TraceContext.TraceParent, span.Id!);
            sink.Remove(TraceContext.TraceState);
            if (span.TraceStateString is { } state)
            {
                sink.Set(TraceContext.TraceState, state);
            }
        }
    }

    private readonly ref struct RequestHeadersSink(HttpRequestHeaders headers) : IHeaderSink
    {
        public void Set(string name, string value)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

        public void Remove(string name) => headers.Remove(name);
    }
}
