using System.Diagnostics;
using System.Net;
using System.Text;
using Serving.LoadTests.Cli;

namespace Serving.LoadTests.Graph;

/// <summary>One thing timed: an iteration (one or more HTTP calls, one after another) repeated at concurrency 1.</summary>
internal sealed record GraphCell(string Name, string What, Func<CancellationToken, Task> Iteration, bool Ensemble);

/// <summary>Latency of one cell in one round, in microseconds.</summary>
internal sealed record CellStats(double P50, double P99, double Mean);

/// <summary>Builds iterations from POSTs with a Host header; any non-200 answer breaks the measurement.</summary>
internal sealed class GraphClient(HttpClient client)
{
    private static readonly byte[] Body = """{"instances":[[68,28,48,14]]}"""u8.ToArray();

    public async Task PostAsync(Uri baseAddress, string? host, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path)) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = new("application/json");
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await client.SendAsync(request, cancellationToken);
        byte[] answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchmarkException($"{host ?? baseAddress.ToString()}{path} answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(answer)}");
        }
    }

    public static async Task<CellStats> MeasureAsync(GraphCell cell, int warmup, int requests, CancellationToken cancellationToken)
    {
        for (int i = 0; i < warmup; i++)
        {
            await cell.Iteration(cancellationToken);
        }

        var micros = new double[requests];
        for (int i = 0; i < requests; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await cell.Iteration(cancellationToken);
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(micros);
        return new CellStats(micros[requests / 2], micros[Math.Min(requests - 1, (int)(requests * 0.99))], micros.Average());
    }
}
