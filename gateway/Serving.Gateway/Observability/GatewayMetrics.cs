using Prometheus;
using Serving.Gateway.Revisions;

namespace Serving.Gateway.Observability;

public enum QueueOutcome
{
    Served,
    Timeout,
    Rejected,
    Cancelled,
}

/// <summary>The gateway's Prometheus metrics, in a registry of its own (several gateways can share a test process).</summary>
public sealed class GatewayMetrics
{
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.0001, 2, 20);

    public GatewayMetrics()
    {
        // Default metrics would start a .NET MeterListener: Kestrel and HttpClient then record their own metrics on every request.
        Metrics.SuppressDefaultMetrics();
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        Requests = factory.CreateCounter(
            "gateway_requests_total", "Requests by InferenceService, revision and status code.", "namespace", "isvc", "revision", "code");
        Duration = factory.CreateHistogram(
            "gateway_request_duration_seconds",
            "Request latency from arrival to the end of the response, by InferenceService, revision and status code.",
            new HistogramConfiguration { LabelNames = ["namespace", "isvc", "revision", "code"], Buckets = LatencyBuckets });
        QueueLength = factory.CreateGauge(
            "gateway_activator_queue_length", "Requests held by the activator.", "namespace", "isvc", "revision");
        QueueWait = factory.CreateHistogram(
            "gateway_activator_wait_seconds",
            "Time requests were held by the activator, by outcome (served, timeout, rejected, cancelled).",
            new HistogramConfiguration { LabelNames = ["namespace", "isvc", "revision", "outcome"], Buckets = LatencyBuckets });
        ColdStarts = factory.CreateCounter(
            "gateway_cold_starts_total", "Requests that waited for a revision with no ready replica.", "namespace", "isvc", "revision");
        AuthFailures = factory.CreateCounter(
            "gateway_auth_failures_total",
            "Requests refused by an InferenceService's or InferenceGraph's auth policy, by kind (InferenceService, InferenceGraph) and reason (missing, expired, wrong_audience, unavailable...).",
            "namespace", "name", "kind", "reason");
        Unrouted = new RevisionMetrics(this, "", "", "");
    }

    public CollectorRegistry Registry { get; }

    internal Counter Requests { get; }

    internal Histogram Duration { get; }

    internal Gauge QueueLength { get; }

    internal Histogram QueueWait { get; }

    internal Counter ColdStarts { get; }

    internal Counter AuthFailures { get; }

    internal RevisionMetrics For(RevisionKey key) => new(this, key.Namespace, key.Service, key.Revision);

    /// <summary>Requests that matched no InferenceService.</summary>
    internal RevisionMetrics Unrouted { get; }
}

/// <summary>
/// One revision's metric children, looked up once: the request path only indexes an array by status code.
/// </summary>
internal sealed class RevisionMetrics
{
    private readonly GatewayMetrics _metrics;
    private readonly string[] _labels;
    private readonly (Counter.Child Count, Histogram.Child Duration)?[] _byStatus = new (Counter.Child, Histogram.Child)?[600];
    private readonly Histogram.Child[] _queueWait;

    public RevisionMetrics(GatewayMetrics metrics, string ns, string isvc, string revision)
    {
        _metrics = metrics;
        _labels = [ns, isvc, revision];
        QueueLength = metrics.QueueLength.WithLabels(_labels);
        ColdStarts = metrics.ColdStarts.WithLabels(_labels);
        _queueWait = [.. Enum.GetValues<QueueOutcome>().Select(o => metrics.QueueWait.WithLabels(ns, isvc, revision, o.ToString().ToLowerInvariant()))];
    }

    public Gauge.Child QueueLength { get; }

    public Counter.Child ColdStarts { get; }

    public void Request(int status, double seconds)
    {
        if ((uint)status >= (uint)_byStatus.Length)
        {
            status = 599;
        }

        var children = _byStatus[status] ??= Create(status);
        children.Count.Inc();
        children.Duration.Observe(seconds);
    }

    public void QueueWait(QueueOutcome outcome, double seconds) => _queueWait[(int)outcome].Observe(seconds);

    private (Counter.Child, Histogram.Child) Create(int status)
    {
        string code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (_metrics.Requests.WithLabels([.. _labels, code]), _metrics.Duration.WithLabels([.. _labels, code]));
    }
}
