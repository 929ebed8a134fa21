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

        if (!TryParsePath(request.Path.Value, out var key, out int prefixLength) || !table.TryGetService(key, out var service))
        {
            return false;
        }

        MovePrefix(request, prefixLength);
        route = new HostRoute(service, null, null);
        return true;
    }

    /// <summary>Reads <c>/serving/{ns}/{name}[/...]</c>; <paramref name="prefixLength"/> is the length of its <c>/serving/{ns}/{name}</c>.</summary>
    internal static bool TryParsePath(string? path, out ServiceKey key, out int prefixLength)
    {
        key = default;
        prefixLength = 0;
        if (path is null || !path.StartsWith(PathPrefix, StringComparison.Ordinal))
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
        key = new ServiceKey(ns, name);
        prefixLength = PathPrefix.Length + ns.Length + 1 + name.Length;
        return true;
    }

    /// <summary>Moves the path-form prefix to PathBase; what follows it (or <c>/</c>) becomes the path.</summary>
    internal static void MovePrefix(HttpRequest request, int prefixLength)
    {
        string path = request.Path.Value!;
        request.PathBase = request.PathBase.Add(new PathString(path[..prefixLength]));
        request.Path = new PathString(prefixLength == path.Length ? "/" : path[prefixLength..]);
    }

    /// <summary>KServe sends <c>/v1/models/{m}:explain</c> to the explainer.</summary>
    public static bool IsExplain(HttpRequest request) =>
        request.Path.Value is { } path && path.EndsWith(":explain", StringComparison.Ordinal);
}
