using System.Text.Json;

namespace Serving.LoadTests.Wrk;

/// <summary>What one wrk run reported through <c>post.lua</c>; latencies in microseconds.</summary>
internal sealed record WrkResult(
    long Requests,
    double Seconds,
    long Non200,
    int LastBadStatus,
    long SocketErrors,
    long Timeouts,
    double LatencyMeanUs,
    long LatencyP50Us,
    long LatencyP90Us,
    long LatencyP99Us,
    long LatencyMaxUs,
    double CpuSeconds)
{
    public const string Marker = "WRK_RESULT ";

    /// <summary>Responses per second that were 200; a request that failed does not count as served.</summary>
    public double RequestsPerSecond => (Requests - Non200) / Seconds;

    public bool HasErrors => Non200 > 0 || SocketErrors > 0 || Timeouts > 0;

    public string ErrorSummary => HasErrors
        ? $"{Non200} non-200 (last {LastBadStatus}), {SocketErrors} socket errors, {Timeouts} timeouts"
        : "";

    public static WrkResult? FromOutput(string stdout)
    {
        string? line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        using var json = JsonDocument.Parse(line[Marker.Length..]);
        var r = json.RootElement;
        long Get(string name) => r.GetProperty(name).GetInt64();
        long ticks = Get("cpu_ticks");
        return new WrkResult(
            Get("requests"),
            Get("duration_us") / 1e6,
            Get("non200"),
            (int)Get("last_bad_status"),
            Get("connect_errors") + Get("read_errors") + Get("write_errors"),
            Get("timeouts"),
            r.GetProperty("latency_mean_us").GetDouble(),
            Get("latency_p50_us"),
            Get("latency_p90_us"),
            Get("latency_p99_us"),
            Get("latency_max_us"),
            ticks < 0 ? double.NaN : ticks / 100.0);
    }
}
