using System.Text;

namespace Serving.Gateway.Proxy.Http1;

/// <summary>
/// The hop-by-hop headers (RFC 9110 §7.6.1, plus the de facto Keep-Alive and Proxy-Connection) that the direct path
/// drops in both directions; one list, looked up from request header names (strings) and response header bytes.
/// </summary>
internal static class HopByHopHeaders
{
    private static readonly string[] Names = ["Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade"];

    public static bool Contains(string name)
    {
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
