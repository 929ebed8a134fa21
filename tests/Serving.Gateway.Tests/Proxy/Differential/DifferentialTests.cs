using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Proxy.Http1;
using Serving.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serving.Gateway.Tests.Proxy.Differential;

/// <summary>
/// The direct path against YARP's over a generated corpus (<see cref="DifferentialCorpus"/>): each case goes through a
/// gateway of each kind to a recording replica that answers as the case says; the replica must see the same request
/// and the client the same response, or the difference must be one gateway/README.md lists (<see cref="Documented"/>).
/// <c>SERVING_DIFFERENTIAL_CASES</c> sets the corpus size (default 10,000; loadtests/run-differential.sh runs more).
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    private const int Seed = 20_250_615;

    [Fact]
    public async Task Both_paths_give_replicas_and_clients_the_same_exchange()
    {
        int count = int.TryParse(Environment.GetEnvironmentVariable("SERVING_DIFFERENTIAL_CASES"), out int n) ? n : 10_000;
        var cases = DifferentialCorpus.Generate(Seed, count).ToArray();
        await using var directReplica = Replica(cases);
        await using var yarpReplica = Replica(cases);
        await using var direct = await StartAsync(ForwarderMode.Direct, directReplica);
        await using var yarp = await StartAsync(ForwarderMode.Yarp, yarpReplica);
        var views = new (ClientView Direct, ClientView Yarp)[count];
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (c, token) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            bool head = c.Method == "HEAD";
            var viaDirect = ClientExchange.SendAsync(direct.Inference, c.Request, head, timeout.Token);
            var viaYarp = ClientExchange.SendAsync(yarp.Inference, c.Request, head, timeout.Token);
            views[c.Id] = (await viaDirect, await viaYarp);
        });

        var seenDirect = ByCase(directReplica);
        var seenYarp = ByCase(yarpReplica);
        var undocumented = new List<string>();
        var documented = new ConcurrentDictionary<string, int>();
        foreach (var c in cases)
        {
            var (d, y) = views[c.Id];
            var replicaDirect = seenDirect.GetValueOrDefault(c.Id) ?? [];
            var replicaYarp = seenYarp.GetValueOrDefault(c.Id) ?? [];
            if (!Http1Forwarder.IsIdempotent(c.Method) && (replicaDirect.Count > 1 || replicaYarp.Count > 1))
            {
                undocumented.Add($"case {c.Id} ({c.Shape}, replayed): a {c.Method} reached the replica {replicaDirect.Count}/{replicaYarp.Count} times");
            }

            bool sameRequest = replicaDirect.Distinct().SequenceEqual(replicaYarp.Distinct());
            bool sameResponse = d.Status == y.Status && d.Complete == y.Complete && d.Headers == y.Headers && d.Body.AsSpan().SequenceEqual(y.Body);
            if (sameRequest && sameResponse)
            {
                continue;
            }

            if (Documented(c, d, y, sameRequest, replicaDirect, replicaYarp) is { } reason)
            {
                documented.AddOrUpdate(reason, 1, (_, k) => k + 1);
                continue;
            }

            undocumented.Add($"case {c.Id} ({c.Shape}{(sameRequest ? "" : ", request differs")}):\n  direct {d}\n  yarp   {y}" +
                (sameRequest ? "" : $"\n  replica via direct: {string.Join(" || ", replicaDirect)}\n  replica via yarp:   {string.Join(" || ", replicaYarp)}"));
        }

        output.WriteLine($"{count} cases through both paths in {clock.Elapsed.TotalSeconds:0.0} s; documented differences: " +
            string.Join(", ", documented.OrderBy(p => p.Key).Select(p => $"{p.Key} ({p.Value})")));
        Assert.True(undocumented.Count == 0, $"{undocumented.Count} undocumented differences, by shape: " +
            string.Join(", ", undocumented.GroupBy(u => u[(u.IndexOf('(') + 1)..u.IndexOf(')')]).OrderByDescending(g => g.Count()).Take(30).Select(g => $"{g.Key} x{g.Count()}")) +
            "\nthe first:\n" + string.Join("\n", undocumented.Take(8)));
    }

    /// <summary>The differences gateway/README.md lists ("Differences between the paths"); null for any other.</summary>
    private static string? Documented(DifferentialCase c, ClientView direct, ClientView yarp, bool sameRequest, List<string> viaDirect, List<string> viaYarp)
    {
        if (!sameRequest)
        {
            // A bodyless request with a content header (Content-Type): YARP's client adds Content-Length: 0.
            static IEnumerable<string> WithoutEmptyLength(List<string> seen) => seen.Distinct().Select(r => r.Replace("content-length=0|", "", StringComparison.Ordinal));
            if (!c.HasBody && WithoutEmptyLength(viaDirect).SequenceEqual(WithoutEmptyLength(viaYarp)) && c.Request.AsSpan().IndexOf("Content-Type:"u8) >= 0)
            {
                return "Content-Length: 0 on a bodyless request with a content header";
            }

            return Race(direct, yarp, viaDirect, viaYarp);
        }

        if (direct.IsGatewayError && yarp.IsGatewayError && direct.Status == yarp.Status)
        {
            return "502/504 messages"; // same status, the reason worded by each path
        }

        if (direct is { IsGatewayError: true, Status: 502 } && (c.Shape.EndsWith("bare LF", StringComparison.Ordinal)
            || c.Shape.EndsWith("Transfer-Encoding gzip", StringComparison.Ordinal) || c.Shape.EndsWith("bad status line", StringComparison.Ordinal)))
        {
            return "strict parsing: " + c.Shape[(c.Shape.IndexOf("-> ", StringComparison.Ordinal) + 3)..]; // YARP's client accepts it
        }

        bool brokenBody = c.Shape.EndsWith("chunk longer than its size", StringComparison.Ordinal) || c.Shape.EndsWith("cut in the body", StringComparison.Ordinal);
        if (brokenBody && (direct.IsGatewayError || !direct.Complete) && (yarp.IsGatewayError || !yarp.Complete))
        {
            return "a body broken after the head: 502 or a cut response"; // which one depends on where each path finds the fault
        }

        return Race(direct, yarp, viaDirect, viaYarp);
    }

    /// <summary>
    /// A kept-alive connection the replica closed (after its previous answer) as the request was sent on it: that path
    /// answers 502 and its replica saw nothing, where the other path saw the close first and used a new connection.
    /// </summary>
    private static string? Race(ClientView direct, ClientView yarp, List<string> viaDirect, List<string> viaYarp) =>
        (direct is { IsGatewayError: true, Status: 502 } && viaDirect.Count == 0) || (yarp is { IsGatewayError: true, Status: 502 } && viaYarp.Count == 0)
            ? "502 on a kept-alive connection the replica was closing"
            : null;

    private static RawBackend Replica(DifferentialCase[] cases) => RawBackend.Start(async (request, stream) =>
    {
        var c = cases[int.Parse(request.One("X-Case")!, System.Globalization.CultureInfo.InvariantCulture)];
        if (c.Response is null)
        {
            return false;
        }

        await stream.WriteAsync(c.Response);
        return c.KeepOpen;
    });

    /// <summary>What the replica saw of each case, normalized: request line, headers by name (repeated ones joined), body.</summary>
    private static Dictionary<int, List<string>> ByCase(RawBackend replica) => replica.Requests
        .GroupBy(r => int.Parse(r.One("X-Case")!, System.Globalization.CultureInfo.InvariantCulture))
        .ToDictionary(g => g.Key, g => g.Select(r => r.RequestLine + " " + string.Join("|", r.Headers
            .GroupBy(h => h.Name.ToLowerInvariant()).OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => h.Key + "=" + string.Join(",", h.SelectMany(v => v.Value.Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0))))
            + " body=" + Encoding.Latin1.GetString(r.Body)).ToList());

    private static async Task<TestGateway> StartAsync(ForwarderMode mode, RawBackend replica)
    {
        var gateway = await TestGateway.StartAsync(o => o with { Forwarder = mode, BackendTimeout = TimeSpan.FromSeconds(10), LogLevel = Microsoft.Extensions.Logging.LogLevel.None });
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(replica.Address, true)));
        return gateway;
    }
}
