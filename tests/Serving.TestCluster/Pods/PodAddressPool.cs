using System.Net;
using System.Net.Sockets;

namespace Serving.TestCluster.Pods;

/// <summary>
/// Loopback addresses for pods: all of 127.0.0.0/8 is local on Linux, so each pod gets an address of its own in the
/// node's /24 (.2 to .254) and listens on its declared ports there. Addresses are handed out round-robin (a released
/// one is reused last), skipping any where a declared port is already taken.
/// </summary>
internal sealed class PodAddressPool
{
    private readonly byte[] _prefix;
    private readonly HashSet<int> _used = [];
    private readonly Lock _lock = new();
    private int _next = 2;

    public PodAddressPool(IPAddress node)
    {
        byte[] bytes = node.GetAddressBytes();
        if (node.AddressFamily != AddressFamily.InterNetwork || bytes[0] != 127)
        {
            throw new ArgumentException($"the node address must be in 127.0.0.0/8, not {node}", nameof(node));
        }

        _prefix = bytes[..3];
    }

    /// <summary>A random 127.X.Y.1 (X from 16), so that agents started by parallel tests do not share pod addresses.</summary>
    public static IPAddress RandomNodeAddress() =>
        new([127, (byte)Random.Shared.Next(16, 255), (byte)Random.Shared.Next(0, 256), 1]);

    public IPAddress Allocate(IReadOnlyCollection<int> ports)
    {
        lock (_lock)
        {
            for (int tried = 0; tried < 253; tried++)
            {
                int host = _next;
                _next = _next == 254 ? 2 : _next + 1;
                var address = new IPAddress([.. _prefix, (byte)host]);
                if (!_used.Contains(host) && ports.All(port => Free(address, port)))
                {
                    _used.Add(host);
                    return address;
                }
            }
        }

        throw new InvalidOperationException($"no free pod address left in {string.Join('.', _prefix)}.0/24");
    }

    public void Release(IPAddress address)
    {
        lock (_lock)
        {
            _used.Remove(address.GetAddressBytes()[3]);
        }
    }

    private static bool Free(IPAddress address, int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
