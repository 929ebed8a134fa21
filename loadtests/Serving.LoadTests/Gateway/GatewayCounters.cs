using Serving.LoadTests.Observation;

namespace Serving.LoadTests.Gateway;

/// <summary>The gateway's own <c>gateway_requests_total</c>, read at one moment: 200s, 5xx, and 200s from the canary revision.</summary>
internal sealed record GatewayCounters(double Ok, double ServerErrors, double CanaryOk)
{
    private const string Metric = "gateway_requests_total";

    public static GatewayCounters From(PrometheusText metrics) => new(
        metrics.Sum(Metric, "code=\"200\""),
        metrics.Sum(Metric, "code=\"5"),
        metrics.Sum(Metric, $"revision=\"{TargetLauncher.CanaryRevision}\",code=\"200\""));

    public static async Task<GatewayCounters?> ScrapeAsync(HttpClient http, Uri metrics, CancellationToken cancellationToken)
    {
        try
        {
            return From(PrometheusText.Parse(await http.GetStringAsync(metrics, cancellationToken)));
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
