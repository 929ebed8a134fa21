using System.Net;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Model;

namespace Serving.Gateway.Proxy;

/// <summary>Receives the headers the gateway sets on a forwarded request.</summary>
internal interface IHeaderSink
{
    void Set(string name, string value);
}

/// <summary>
/// The one owner of what the gateway adds to a request on its way to a replica, for both forwarding paths: what
/// KServe's ingress adds (<c>KServe-Isvc-Name</c>, <c>KServe-Isvc-Namespace</c>) and the X-Forwarded-* headers.
/// The gateway's values replace any the client sent, except X-Forwarded-For, which gets the client's address appended.
/// </summary>
internal static class ForwardedHeaders
{
    public const string IsvcName = "KServe-Isvc-Name";
    public const string IsvcNamespace = "KServe-Isvc-Namespace";
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";
    public const string ForwardedPrefix = "X-Forwarded-Prefix";

    /// <summary>
    /// Headers of the incoming request that are not copied as they are: the gateway sets them. X-Forwarded-Prefix
    /// only when the request has a path base (the path form); otherwise the client's passes through, as on YARP's path.
    /// </summary>
    public static bool IsSetByGateway(string name, bool hasPathBase) =>
        name.Length >= 15 && (name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
            ? name.Equals(ForwardedFor, StringComparison.OrdinalIgnoreCase) || name.Equals(ForwardedProto, StringComparison.OrdinalIgnoreCase)
                || name.Equals(ForwardedHost, StringComparison.OrdinalIgnoreCase) || (hasPathBase && name.Equals(ForwardedPrefix, StringComparison.OrdinalIgnoreCase))
            : name.Equals(IsvcName, StringComparison.OrdinalIgnoreCase) || name.Equals(IsvcNamespace, StringComparison.OrdinalIgnoreCase));

    [ThreadStatic]
    private static (IPAddress Address, string Text)? t_lastClient;

    /// <summary>The client's address as text; the last one formatted on this thread is reused (clients repeat).</summary>
    private static string ClientAddress(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (t_lastClient is { } last && last.Address.Equals(address))
        {
            return last.Text;
        }

        string text = address.ToString();
        t_lastClient = (address, text);
        return text;
    }

    public static void Apply<TSink>(HttpContext context, ServiceKey service, ref TSink sink)
        where TSink : IHeaderSink, allows ref struct
    {
        var request = context.Request;
        sink.Set(IsvcName, service.Name);
        sink.Set(IsvcNamespace, service.Namespace);
        string client = ClientAddress(context.Connection.RemoteIpAddress);
        string? forwardedFor = request.Headers[ForwardedFor];
        sink.Set(ForwardedFor, forwardedFor is { Length: > 0 } ? $"{forwardedFor}, {client}" : client);
        sink.Set(ForwardedProto, request.Scheme);
        sink.Set(ForwardedHost, request.Host.Value ?? "");
        if (request.PathBase.HasValue)
        {
            sink.Set(ForwardedPrefix, request.PathBase.Value!);
        }
    }
}
