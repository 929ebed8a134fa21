using Microsoft.AspNetCore.Http;
using Serving.Gateway.Model;

namespace Serving.Gateway.Routing;

/// <summary>
/// Finds what a request is for: from its Host (<c>{isvc}.{ns}.{domain}</c>, <c>{isvc}-{component}.{ns}.{domain}</c>,
/// tag hosts) or from the path form <c>/serving/{ns}/{isvc}/...</c>, whose prefix is moved to PathBase.
/// </summary>
internal static class TargetResolver
{
    public const string PathPrefix = "/serving/";

    public static bool TryResolve(RoutingTable table, HttpContext context, out HostRoute route)
    {
        var request = context.Request;
        if (table.TryGetHost(request.Host.Host, out route))
        {
            return true;
        }

        string path = request.Path.Value ?? "";
        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = path.AsSpan(PathPrefix.Length);
        int slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        string ns = rest[..slash].ToString();
        rest = rest[(slash + 1)..];
        slash = rest.IndexOf('/');
        string name = (slash < 0 ? rest : rest[..slash]).ToString();
        if (!table.TryGetService(new ServiceKey(ns, name), out var service))
        {
            return false;
        }

        int prefixLength = PathPrefix.Length + ns.Length + 1 + name.Length;
        request.PathBase = request.PathBase.Add(new PathString(path[..prefixLength]));
        request.Path = new PathString(slash < 0 ? "/" : path[prefixLength..]);
        route = new HostRoute(service, null, null);
        return true;
    }

    /// <summary>KServe sends <c>/v1/models/{m}:explain</c> to the explainer.</summary>
    public static bool IsExplain(HttpRequest request) =>
        request.Path.Value is { } path && path.EndsWith(":explain", StringComparison.Ordinal);
}
