using System.Text;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// The headers neither forwarding path copies, in either direction: YARP's list (<c>RequestUtilities</c>'s
/// hop-by-hop and proxy headers: RFC 9110 §7.6.1's, the proxy authentication headers, <c>Alt-Svc</c>, HTTP/2's
/// <c>HTTP2-Settings</c> and the de facto <c>Keep-Alive</c>, <c>Proxy-Connection</c>, <c>Close</c>), so that the direct path and YARP
/// drop the same names. Looked up from request header names (strings) and response header bytes.
/// </summary>
internal static class HopByHopHeaders
{
    private static readonly string[] Names =
    [
        "Connection", "Transfer-Encoding", "Keep-Alive", "Upgrade", "Proxy-Connection", "Proxy-Authenticate",
        "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features", "Proxy-Instruction", "Security-Scheme",
        "ALPN", "Close", "HTTP2-Settings", "Upgrade-Insecure-Requests", "TE", "Alt-Svc",
    ];

    // Bit n set when some name has length n: most headers are ruled out by their length alone.
    private static readonly uint Lengths = Names.Aggregate(0u, static (mask, name) => mask | (1u << name.Length));

    public static bool Contains(string name)
    {
        if (name.Length >= 32 || (Lengths & (1u << name.Length)) == 0)
        {
            return false;
        }

        foreach (string hop in Names)
        {
            if (hop.Length == name.Length && hop.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Contains(ReadOnlySpan<byte> name)
    {
        if (name.Length >= 32 || (Lengths & (1u << name.Length)) == 0)
        {
            return false;
        }

        foreach (string hop in Names)
        {
            if (hop.Length == name.Length && Ascii.EqualsIgnoreCase(name, hop))
            {
                return true;
            }
        }

        return false;
    }
}
