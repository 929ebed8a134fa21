using Microsoft.AspNetCore.Http;
using Serving.Gateway.Model;
using Yarp.ReverseProxy.Forwarder;

namespace Serving.Gateway.Proxy;

/// <summary>
/// Copies the request like YARP's default (the Host becomes the replica's), and adds what KServe's ingress adds:
/// <c>KServe-Isvc-Name</c>, <c>KServe-Isvc-Namespace</c> and the X-Forwarded-* headers. One instance per service.
/// </summary>
internal sealed class KServeTransformer(ServiceKey service) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var headers = proxyRequest.Headers;
        var request = httpContext.Request;
        headers.TryAddWithoutValidation("KServe-Isvc-Name", service.Name);
        headers.TryAddWithoutValidation("KServe-Isvc-Namespace", service.Namespace);

        string? client = httpContext.Connection.RemoteIpAddress?.ToString();
        string? forwardedFor = request.Headers["X-Forwarded-For"];
        headers.Remove("X-Forwarded-For");
        headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor is { Length: > 0 } ? $"{forwardedFor}, {client}" : client);
        headers.Remove("X-Forwarded-Proto");
        headers.TryAddWithoutValidation("X-Forwarded-Proto", request.Scheme);
        headers.Remove("X-Forwarded-Host");
        headers.TryAddWithoutValidation("X-Forwarded-Host", request.Host.Value);
        if (request.PathBase.HasValue)
        {
            headers.Remove("X-Forwarded-Prefix");
            headers.TryAddWithoutValidation("X-Forwarded-Prefix", request.PathBase.Value);
        }
    }
}
