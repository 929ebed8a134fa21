using System.Diagnostics;
using System.Net.Sockets;

namespace Serving.LoadTests.Scenarios.Load;

/// <summary>
/// The scenarios' HTTP client: one request = one <see cref="RequestRecord"/> in the log, whatever happens to it. No
/// retries, no proxy, as many connections as requests in flight (each scenario bounds that).
/// </summary>
internal sealed class LoadClient : IDisposable
{
    /// <summary>Longer than the gateway's activation timeout (60 s), so the gateway's 504 shows rather than ours.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(75);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxConnectionsPerServer = int.MaxValue,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan, // per request below, so a timeout is told apart from a cancellation
    };

    public LoadClient(RequestLog log) => Log = log;

    public RequestLog Log { get; }

    /// <summary>Sends one request and records it; returns its status (or <see cref="Outcome"/> code).</summary>
    public async Task<short> SendAsync(LoadTarget target, CancellationToken cancellationToken, string? traceparent = null)
    {
        long start = Log.Started();
        short status;
        short tag = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(target.Body) };
            request.Content.Headers.ContentType = LoadTarget.Json;
            if (target.Host is not null)
            {
                request.Headers.Host = target.Host;
            }

            if (traceparent is not null)
            {
                request.Headers.TryAddWithoutValidation("traceparent", traceparent);
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            byte[] body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            status = (short)response.StatusCode;
            tag = target.Tagger?.Invoke(response, body) ?? 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.Ended(start, Outcome.TransportError); // the scenario is being stopped (Ctrl+C): nothing to report for it
            throw;
        }
        catch (OperationCanceledException)
        {
            status = Outcome.Timeout;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
        {
            status = Outcome.TransportError;
        }

        Log.Ended(start, status, tag);
        return status;
    }

    /// <summary>A W3C traceparent for a new trace, sampled or not; its trace id names the request in the trace file.</summary>
    public static (string Header, ActivityTraceId TraceId) NewTraceparent(bool sampled)
    {
        var trace = ActivityTraceId.CreateRandom();
        return ($"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-{(sampled ? "01" : "00")}", trace);
    }

    public void Dispose() => _http.Dispose();
}
