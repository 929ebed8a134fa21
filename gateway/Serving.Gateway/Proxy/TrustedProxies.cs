using System.Net;

namespace Serving.Gateway.Proxy;

/// <summary>
/// The clients whose forwarding headers the gateway believes (<c>--trusted-proxies</c>, CIDR ranges): a load balancer
/// or ingress in front of it. None by default.
/// </summary>
public sealed class TrustedProxies
{
    private readonly IPNetwork[] _networks;

    public TrustedProxies(IEnumerable<IPNetwork> networks) => _networks = [.. networks];

    public static TrustedProxies None { get; } = new([]);

    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>Parses <c>10.0.0.0/8,127.0.0.1/32</c> (a bare address is a single host).</summary>
    /// <exception cref="FormatException">an entry is not an address or a CIDR range.</exception>
    public static TrustedProxies Parse(string list) => new(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(entry =>
        IPNetwork.TryParse(entry, out var network) ? network
        : IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
        : throw new FormatException($"'{entry}' is not an IP address or a CIDR range (like 10.0.0.0/8)")));

    public bool Contains(IPAddress? address)
    {
        if (_networks.Length == 0 || address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
