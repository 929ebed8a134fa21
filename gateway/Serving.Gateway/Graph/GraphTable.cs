using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;

namespace Serving.Gateway.Graph;

/// <summary>
/// A graph as routed: compiled, or not, and why it cannot serve now when it cannot (invalid, or a step's service is
/// missing or cannot serve). A graph that cannot serve still owns its host and answers 503 with the reason (after its
/// auth policy, when it has one, admitted the request).
/// </summary>
internal sealed record GraphEntry(ServiceKey Key, CompiledGraph? Graph, ServiceProblem? Problem)
{
    /// <summary>What callers must present (read from the graph's annotations); null when it is open.</summary>
    public Auth.AuthPolicy? Auth { get; init; }
}

/// <summary>An immutable snapshot of the graphs by host and by name, swapped in whole like <see cref="RoutingTable"/>.</summary>
internal sealed class GraphTable(FrozenDictionary<string, GraphEntry> hosts, FrozenDictionary<ServiceKey, GraphEntry> graphs)
{
    public static readonly GraphTable Empty = new(FrozenDictionary<string, GraphEntry>.Empty, FrozenDictionary<ServiceKey, GraphEntry>.Empty);

    public int Count => graphs.Count;

    public bool TryGet(ServiceKey key, out GraphEntry entry) => graphs.TryGetValue(key, out entry!);

    /// <summary>From the Host <c>{ig}.{ns}.{domain}</c>, or the path form <c>/serving/{ns}/{ig}/...</c> (prefix moved to PathBase).</summary>
    public bool TryResolve(HttpContext context, out GraphEntry entry)
    {
        if (graphs.Count == 0)
        {
            entry = null!;
            return false;
        }

        var request = context.Request;
        if (hosts.TryGetValue(request.Host.Host, out entry!))
        {
            return true;
        }

        if (TargetResolver.TryParsePath(request.Path.Value, out var key, out int prefixLength) && graphs.TryGetValue(key, out entry!))
        {
            TargetResolver.MovePrefix(request, prefixLength);
            return true;
        }

        return false;
    }
}
