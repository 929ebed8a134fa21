using System.Net.Sockets;
using System.Text;

namespace Serving.Gateway.Tests.Proxy.Differential;

/// <summary>What a client saw: the status, end-to-end headers and body, and whether the response was whole.</summary>
public sealed record ClientView(int Status, string Headers, byte[] Body, bool Complete)
{
    /// <summary>An error the gateway wrote itself (<c>{"error": ...}</c>), not a replica's answer.</summary>
    public bool IsGatewayError => Status >= 400 && Headers.Contains("x-gateway-error", StringComparison.Ordinal);

    public override string ToString() => $"{Status} {(Complete ? "whole" : "cut")} [{Headers}] {Body.Length} bytes: {Encoding.Latin1.GetString(Body[..Math.Min(Body.Length, 80)])}";
}

/// <summary>Writes a request as raw bytes and reads the gateway's answer with a small HTTP/1.1 response parser.</summary>
public static class ClientExchange
{
    // Headers the two paths may frame or date differently without a difference a client can act on.
    private static readonly HashSet<string> Framing = new(StringComparer.OrdinalIgnoreCase) { "date", "content-length", "transfer-encoding", "connection" };

    public static async Task<ClientView> SendAsync(Uri gateway, byte[] request, bool head, CancellationToken cancellationToken)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(gateway.Host, gateway.Port, cancellationToken);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(request, cancellationToken);
        }
        catch (IOException)
        {
            // the gateway answered (413) and closed before taking the whole request: read what it said
        }

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // a reset: what came before it is what the client has
        }

        return Parse(received.ToArray(), head);
    }

    /// <summary>Parses one response (the connection carries one: the request said Connection: close).</summary>
    public static ClientView Parse(byte[] bytes, bool head)
    {
        var span = bytes.AsSpan();
        int end = span.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return new ClientView(0, "", [], false);
        }

        var lines = Encoding.Latin1.GetString(span[..end]).Split("\r\n");
        int status = int.Parse(lines[0].AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => (Name: l[..l.IndexOf(':')].ToLowerInvariant(), Value: l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var rest = span[(end + 4)..];
        byte[] body;
        bool complete;
        string? length = headers.FirstOrDefault(h => h.Name == "content-length").Value;
        if (head || status is 204 or 304 || status < 200)
        {
            (body, complete) = ([], true);
        }
        else if (headers.Any(h => h.Name == "transfer-encoding"))
        {
            (body, complete) = Dechunk(rest);
        }
        else if (length is not null)
        {
            int n = int.Parse(length, System.Globalization.CultureInfo.InvariantCulture);
            (body, complete) = (rest[..Math.Min(n, rest.Length)].ToArray(), rest.Length >= n);
        }
        else
        {
            (body, complete) = (rest.ToArray(), true);
        }

        bool gatewayError = status >= 400 && (body.AsSpan().StartsWith("{\"error\":"u8) || (head && status >= 500))
            && headers.Any(h => h.Name == "content-type" && h.Value == "application/json");
        string normalized = string.Join("|", headers.Where(h => !Framing.Contains(h.Name)).GroupBy(h => h.Name).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key + "=" + string.Join(",", g.Select(h => h.Value))));
        return new ClientView(status, gatewayError ? "x-gateway-error" : normalized, gatewayError ? [] : body, complete);
    }

    private static (byte[] Body, bool Complete) Dechunk(ReadOnlySpan<byte> rest)
    {
        var body = new List<byte>();
        while (true)
        {
            int line = rest.IndexOf("\r\n"u8);
            if (line < 0)
            {
                return ([.. body], false);
            }

            int size = Convert.ToInt32(Encoding.ASCII.GetString(rest[..line]).Split(';')[0], 16);
            rest = rest[(line + 2)..];
            if (size == 0)
            {
                return ([.. body], rest.IndexOf("\r\n"u8) >= 0);
            }

            if (rest.Length < size + 2)
            {
                body.AddRange(rest[..Math.Min(size, rest.Length)]);
                return ([.. body], false);
            }

            body.AddRange(rest[..size]);
            rest = rest[(size + 2)..];
        }
    }
}
