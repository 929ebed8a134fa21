using System.Collections.Frozen;
using Serving.Gateway.Model;

namespace Serving.Gateway.Routing;

/// <summary>
/// An immutable routing snapshot: hosts and path-form names to services, components and tag-pinned revisions.
/// Built off the request path by <see cref="ServiceCatalog"/> and swapped in whole.
/// </summary>
public sealed class RoutingTable
{
    public static readonly RoutingTable Empty = new(FrozenDictionary<string, HostRoute>.Empty, FrozenDictionary<ServiceKey, ServiceEntry>.Empty, 0);

    private readonly FrozenDictionary<string, HostRoute> _hosts;
    private readonly FrozenDictionary<ServiceKey, ServiceEntry> _services;

    internal RoutingTable(FrozenDictionary<string, HostRoute> hosts, FrozenDictionary<ServiceKey, ServiceEntry> services, long version)
    {
        _hosts = hosts;
        _services = services;
        Version = version;
    }

    public long Version { get; }

    public int HostCount => _hosts.Count;

    public IEnumerable<ServiceEntry> Services => _services.Values;

    public bool TryGetHost(string host, out HostRoute route) => _hosts.TryGetValue(host, out route);

    public bool TryGetService(ServiceKey key, out ServiceEntry service) => _services.TryGetValue(key, out service!);
}
