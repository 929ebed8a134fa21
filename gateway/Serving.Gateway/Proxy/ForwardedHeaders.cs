using System.Net;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Model;

namespace Serving.Gateway.Proxy;

/// <summary>Receives the headers the gateway sets on a forwarded request.</summary>
internal interface IHeaderSink
{
    void Set(string name, string value);

    /// <summary>Drops a header the client sent (the direct path never copied it: nothing to do there).</summary>
    void Remove(string name);
}

/// <summary>
/// The one owner of what the gateway says about a request to a replica, for both forwarding paths: what KServe's
/// ingress adds (<c>KServe-Isvc-Name</c>, <c>KServe-Isvc-Namespace</c>) and where the request came from. The gateway
/// sets <c>X-Forwarded-For</c>, <c>-Proto</c>, <c>-Host</c> and (path form) <c>-Prefix</c> itself and drops what a client
/// said about it (those, <c>Forwarded</c>, <c>X-Real-IP</c>), so that a client cannot make replicas believe anything
/// about where it came from, unless the client is a trusted proxy (<see cref="TrustedProxies"/>): then its
/// <c>X-Forwarded-For</c> gets the client's address appended, its <c>-Proto</c> and <c>-Host</c> are kept, its
/// <c>-Prefix</c> comes before the gateway's, and its <c>Forwarded</c> and <c>X-Real-IP</c> pass.
/// </summary>
internal sealed class ForwardedHeaders(TrustedProxies trusted)
{
    public const string IsvcName = "KServe-Isvc-Name";
    public const string IsvcNamespace = "KServe-Isvc-Namespace";
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";
    public const string ForwardedPrefix = "X-Forwarded-Prefix";
    public const string Forwarded = "Forwarded";
    public const string RealIp = "X-Real-IP";

    [ThreadStatic]
    private static (IPAddress Address, string Text)? t_lastClient;

    /// <summary>Whether the client of this request is a trusted proxy.</summary>
    public bool IsTrusted(HttpContext context) => trusted.Contains(context.Connection.RemoteIpAddress);

    /// <summary>Headers of the incoming request that are not copied as they are: the gateway sets (or drops) them.</summary>
    public static bool IsReplaced(string name, bool trusted) => name.Length switch
    {
        9 => !trusted && (name.Equals(RealIp, StringComparison.OrdinalIgnoreCase) || name.Equals(Forwarded, StringComparison.OrdinalIgnoreCase)),
        15 => name.Equals(ForwardedFor, StringComparison.OrdinalIgnoreCase),
        16 => name.Equals(ForwardedHost, StringComparison.OrdinalIgnoreCase) || name.Equals(IsvcName, StringComparison.OrdinalIgnoreCase),
        17 => name.Equals(ForwardedProto, StringComparison.OrdinalIgnoreCase),
        18 => name.Equals(ForwardedPrefix, StringComparison.OrdinalIgnoreCase),
        21 => name.Equals(IsvcNamespace, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    public void Apply<TSink>(HttpContext context, ServiceKey service, ref TSink sink)
        where TSink : IHeaderSink, allows ref struct => Apply(context, service, IsTrusted(context), ref sink);

    public void Apply<TSink>(HttpContext context, ServiceKey service, bool trusted, ref TSink sink)
        where TSink : IHeaderSink, allows ref struct
    {
        var request = context.Request;
        var headers = request.Headers;
        sink.Set(IsvcName, service.Name);
        sink.Set(IsvcNamespace, service.Namespace);
        string client = ClientAddress(context.Connection.RemoteIpAddress);
        string prefix = request.PathBase.Value ?? "";
        if (trusted)
        {
            string? forwardedFor = headers[ForwardedFor];
            sink.Set(ForwardedFor, forwardedFor is { Length: > 0 } ? $"{forwardedFor}, {client}" : client);
            sink.Set(ForwardedProto, headers[ForwardedProto] is [{ Length: > 0 } proto] ? proto : request.Scheme);
            sink.Set(ForwardedHost, headers[ForwardedHost] is [{ Length: > 0 } host] ? host : request.Host.Value ?? "");
            prefix = headers[ForwardedPrefix] is [{ Length: > 0 } outer] ? outer.TrimEnd('/') + prefix : prefix;
        }
        else
        {
            sink.Set(ForwardedFor, client);
            sink.Set(ForwardedProto, request.Scheme);
            sink.Set(ForwardedHost, request.Host.Value ?? "");
            sink.Remove(Forwarded);
            sink.Remove(RealIp);
        }

        if (prefix.Length > 0)
        {
            sink.Set(ForwardedPrefix, prefix);
        }
        else
        {
            sink.Remove(ForwardedPrefix);
        }
    }

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
}
