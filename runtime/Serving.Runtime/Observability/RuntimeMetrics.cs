using Prometheus;

namespace Serving.Runtime.Observability;

/// <summary>The runtime's Prometheus metrics, in a registry of its own so that several hosts can share a process.</summary>
public sealed class RuntimeMetrics
{
    public RuntimeMetrics()
    {
        // Default metrics would start a .NET MeterListener: Kestrel and HttpClient then record their own metrics on every request.
        Metrics.SuppressDefaultMetrics();
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        var latencyBuckets = Histogram.ExponentialBuckets(0.0001, 2, 18);
        Requests = factory.CreateCounter(
            "runtime_requests_total", "Inference requests by model, protocol and status code.", "model", "protocol", "code");
        RequestDuration = factory.CreateHistogram(
            "runtime_request_duration_seconds",
            "Inference request latency from the start of the body read to the response, by model, protocol and status code.",
            new HistogramConfiguration { LabelNames = ["model", "protocol", "code"], Buckets = latencyBuckets });
        RunDuration = factory.CreateHistogram(
            "runtime_inference_duration_seconds",
            "ONNX Runtime Run duration per call (one call per batch).",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = latencyBuckets });
        BatchSize = factory.CreateHistogram(
            "runtime_batch_size",
            "Rows per ONNX Runtime Run call.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        BatchWait = factory.CreateHistogram(
            "runtime_batch_wait_seconds",
            "Time a request waited in the batch queue before its batch ran.",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = latencyBuckets });
        PaddedRuns = factory.CreateCounter(
            "runtime_padded_runs_total",
            "Batched Runs padded up to a bucket size (--batch-padding), by the rows the session saw, padding included.",
            "model", "rows");
        PaddingRows = factory.CreateCounter(
            "runtime_padding_rows_total", "Zero rows added to batched Runs to reach a bucket size (--batch-padding).", "model");
        ModelReady = factory.CreateGauge("runtime_model_ready", "1 when the model version is loaded and ready.", "model", "version");
    }

    public CollectorRegistry Registry { get; }

    public Counter Requests { get; }

    public Histogram RequestDuration { get; }

    public Histogram RunDuration { get; }

    public Histogram BatchSize { get; }

    public Histogram BatchWait { get; }

    public Counter PaddedRuns { get; }

    public Counter PaddingRows { get; }

    public Gauge ModelReady { get; }
}
