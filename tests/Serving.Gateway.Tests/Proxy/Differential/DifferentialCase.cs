using System.Text;

namespace Serving.Gateway.Tests.Proxy.Differential;

/// <summary>One generated case: the request a client sends and what the replica does with it.</summary>
/// <param name="Request">The request bytes as the client writes them (with <c>X-Case</c> and <c>Connection: close</c>).</param>
/// <param name="Response">The replica's answer bytes (possibly malformed or cut short); null: close without answering.</param>
/// <param name="KeepOpen">Whether the replica keeps the connection after answering.</param>
public sealed record DifferentialCase(int Id, string Method, byte[] Request, bool HasBody, byte[]? Response, bool KeepOpen, string Shape);

/// <summary>
/// A seeded, deterministic corpus of requests and replica behaviours: methods, paths, header sets (hop-by-hop, proxy,
/// forwarding, Latin-1, repeated), body framings and sizes (across the direct path's 64 KiB), replica answers in every
/// framing, with odd statuses, headers the gateway must drop, malformed heads and bodies, cut-offs and closes.
/// </summary>
public static class DifferentialCorpus
{
    private static readonly string[] Methods = ["GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

    private static readonly string[] Paths =
    [
        "/v1/models/iris:predict", "/v2/models/iris/infer", "/v2/models/iris/infer?x=1&y=%20z", "/", "/a%2Fb/c;p=1",
        "/serving/default/iris/v1/models/iris:predict", "/v2/models/iris/versions/2/infer?",
    ];

    private static readonly (string Name, string Value)[] RequestHeaders =
    [
        ("X-Custom", "a"), ("X-Multi", "one"), ("X-Multi", "two"), ("Accept", "application/json"), ("Accept-Encoding", "gzip"),
        ("Cookie", "a=1; b=2"), ("Authorization", "Bearer t0k3n"), ("Proxy-Authorization", "Basic eA=="), ("TE", "trailers"),
        ("Keep-Alive", "timeout=5"), ("Proxy-Connection", "keep-alive"), ("Upgrade-Insecure-Requests", "1"), ("Alt-Svc", "h3=\":443\""),
        ("X-Forwarded-For", "10.0.0.1"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example"),
        ("X-Forwarded-Prefix", "/evil"), ("Forwarded", "for=10.0.0.1"), ("X-Real-IP", "10.0.0.1"), ("KServe-Isvc-Name", "spoofed"),
        ("X-Latin", "caf\u00e9"), ("X-Utf8", "h\u00c3\u00a9llo"), ("X-Empty", ""), ("X-Long", new string('l', 3000)),
        ("Content-Type", "application/json"), ("Trailer", "X-T"), ("Close", "1"), ("Security-Scheme", "x"), ("Via", "1.1 front"),
        ("X-Request-Id", "r-1"), ("Inference-Header-Content-Length", "12"),
    ];

    private static readonly (string Name, string Value)[] ResponseHeaders =
    [
        ("Content-Type", "application/json"), ("X-Resp", "1"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Alt-Svc", "h3=\":443\""),
        ("Proxy-Authenticate", "Basic"), ("Keep-Alive", "timeout=5"), ("X-Latin", "caf\u00e9"), ("Cache-Control", "no-store"),
        ("Upgrade", "h2c"), ("Proxy-Connection", "close"), ("X-Empty", ""), ("Vary", "Accept"), ("Server", "replica"),
        ("Inference-Header-Content-Length", "4"), ("ALPN", "h2"), ("Trailer", "X-T"),
    ];

    private static readonly int[] Statuses = [200, 200, 200, 200, 201, 202, 204, 206, 301, 304, 400, 404, 413, 500, 503, 599, 299];

    public static IEnumerable<DifferentialCase> Generate(int seed, int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return Case(new Random(HashCode.Combine(seed, i)), i);
        }
    }

    private static DifferentialCase Case(Random random, int id)
    {
        string method = Pick(random, Methods);
        var request = new StringBuilder();
        request.Append(method).Append(' ').Append(Pick(random, Paths)).Append(" HTTP/1.1\r\n");
        request.Append("Host: ").Append(random.Next(4) == 0 ? "gw.local" : "iris.default.example.com").Append("\r\n");
        request.Append("X-Case: ").Append(id).Append("\r\n");
        int headers = random.Next(6);
        for (int h = 0; h < headers; h++)
        {
            var (name, value) = Pick(random, RequestHeaders);
            request.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        string framing = method is "GET" or "HEAD" or "OPTIONS" && random.Next(3) > 0 ? "none" : Pick(random, ["length", "length", "length", "chunked", "none"]);
        byte[] body = Body(random, random.Next(10) switch { 0 => 0, 1 => 60_000 + random.Next(10_000), _ => random.Next(2_000) });
        var bytes = new List<byte>();
        switch (framing)
        {
            case "length":
                request.Append("Content-Length: ").Append(body.Length).Append("\r\nConnection: close\r\n\r\n");
                bytes.AddRange(Encoding.Latin1.GetBytes(request.ToString()));
                bytes.AddRange(body);
                break;
            case "chunked":
                request.Append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
                bytes.AddRange(Encoding.Latin1.GetBytes(request.ToString()));
                bytes.AddRange(Chunked(random, body, trailers: false));
                break;
            default:
                request.Append("Connection: close\r\n\r\n");
                bytes.AddRange(Encoding.Latin1.GetBytes(request.ToString()));
                body = [];
                break;
        }

        var (response, keepOpen, shape) = Response(random, method == "HEAD");
        return new DifferentialCase(id, method, [.. bytes], framing != "none", response, keepOpen, $"{method} {framing} -> {shape}");
    }

    private static (byte[]? Bytes, bool KeepOpen, string Shape) Response(Random random, bool head)
    {
        int status = Pick(random, Statuses);
        var text = new StringBuilder($"HTTP/1.1 {status} Reason\r\n");
        int headers = random.Next(5);
        for (int h = 0; h < headers; h++)
        {
            var (name, value) = Pick(random, ResponseHeaders);
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        bool bodyless = head || status is 204 or 304 or (>= 100 and < 200);
        byte[] body = bodyless ? [] : Body(random, random.Next(10) == 0 ? 30_000 : random.Next(3_000));
        int fault = random.Next(100);
        string kind = fault switch
        {
            < 55 => "length",
            < 70 => "chunked",
            < 75 => "close",
            < 77 => "continue",
            < 79 => "no-answer",
            < 81 => "cut-head",
            < 84 => "cut-body",
            < 86 => "bad-status",
            < 88 => "signed-length",
            < 90 => "te-gzip",
            < 92 => "bad-chunk",
            < 94 => "bare-lf",
            < 96 => "http10",
            < 98 => "two-lengths",
            _ => "chunk-too-long",
        };

        var bytes = new List<byte>();
        void Head(string extra) => bytes.AddRange(Encoding.Latin1.GetBytes(text + extra + "\r\n"));
        string length = $"Content-Length: {(bodyless && !head ? 0 : body.Length)}\r\n";
        switch (kind)
        {
            case "length":
                Head(length);
                bytes.AddRange(head ? [] : body);
                return ([.. bytes], random.Next(4) > 0, $"{status} length");
            case "chunked" when !bodyless:
                Head("Transfer-Encoding: chunked\r\n");
                bytes.AddRange(Chunked(random, body, trailers: random.Next(3) == 0));
                return ([.. bytes], true, $"{status} chunked");
            case "close" when !bodyless:
                Head("Connection: close\r\n");
                bytes.AddRange(body);
                return ([.. bytes], false, $"{status} until close");
            case "continue":
                bytes.AddRange("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
                Head(length);
                bytes.AddRange(head ? [] : body);
                return ([.. bytes], true, $"100 then {status}");
            case "no-answer":
                return (null, false, "close before answering");
            case "cut-head":
                return (Encoding.Latin1.GetBytes(text.ToString()[..Math.Max(5, text.Length / 2)]), false, "cut in the head");
            case "cut-body" when body.Length > 10:
                Head(length);
                bytes.AddRange(body[..(body.Length / 2)]);
                return ([.. bytes], false, "cut in the body");
            case "bad-status":
                return (Encoding.Latin1.GetBytes(Pick(random, ["HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", "HTTP/2 200\r\n\r\n", "ICY 200 OK\r\n\r\n", "HTTP/1.1 99 Low\r\n\r\n"])), false, "bad status line");
            case "signed-length":
                return (Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Pick(random, ["+2", "-0", " 2 x", "0x2"])}\r\n\r\nok"), false, "bad Content-Length");
            case "te-gzip":
                return (Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nbytes"), false, "Transfer-Encoding gzip");
            case "bad-chunk":
                return (Encoding.Latin1.GetBytes($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{Pick(random, ["zz", "+5", "0x5", "-1"])}\r\nhello\r\n0\r\n\r\n"), false, "bad chunk size");
            case "bare-lf":
                return (Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\nContent-Length: 2\n\nok"), false, "bare LF");
            case "http10":
                return (Encoding.Latin1.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"), false, "HTTP/1.0 until close");
            case "two-lengths":
                return (Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk"), false, "two Content-Lengths");
            case "chunk-too-long":
                return (Encoding.Latin1.GetBytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n"), false, "chunk longer than its size");
            default:
                Head(length);
                bytes.AddRange(head ? [] : body);
                return ([.. bytes], true, $"{status} length");
        }
    }

    private static byte[] Chunked(Random random, byte[] body, bool trailers)
    {
        var bytes = new List<byte>();
        for (int at = 0; at < body.Length;)
        {
            int size = Math.Min(body.Length - at, 1 + random.Next(8_000));
            bytes.AddRange(Encoding.ASCII.GetBytes(random.Next(4) == 0 ? $"{size:X};ext=1\r\n" : $"{size:x}\r\n"));
            bytes.AddRange(body.AsSpan(at, size).ToArray());
            bytes.AddRange("\r\n"u8.ToArray());
            at += size;
        }

        bytes.AddRange(Encoding.ASCII.GetBytes(trailers ? "0\r\nX-T: t\r\n\r\n" : "0\r\n\r\n"));
        return [.. bytes];
    }

    private static byte[] Body(Random random, int size)
    {
        var body = new byte[size];
        for (int i = 0; i < size; i++)
        {
            body[i] = (byte)"{}[]\"abcdefghij0123456789,:. "[random.Next(29)];
        }

        return body;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
