using Microsoft.Extensions.Logging;
using Serving.Runtime.Execution;
using Serving.Runtime.Models;

namespace Serving.Runtime.Hosting;

/// <summary>Everything the runtime is started with; see <see cref="RuntimeOptionsParser"/> for the command line.</summary>
public sealed record RuntimeOptions
{
    public required string ModelDir { get; init; }

    /// <summary>Name of a model stored as a bare <c>model.onnx</c>; folder layouts are named by their folders.</summary>
    public string? ModelName { get; init; }

    /// <summary>The version a bare <c>model.onnx</c> is served as, so that two revisions of a service tell themselves apart.</summary>
    public string? ModelVersion { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    /// <summary>HTTP port; 0 picks a free one (tests).</summary>
    public int HttpPort { get; init; } = 8080;

    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    public int DeviceId { get; init; }

    /// <summary>cuDNN convolution algorithm search on CUDA; see <see cref="Models.CudnnConvAlgoSearch"/> for why not ONNX Runtime's default.</summary>
    public CudnnConvAlgoSearch CudnnConvAlgoSearch { get; init; } = CudnnConvAlgoSearch.Heuristic;

    /// <summary>ONNX Runtime intra-op threads per session; 0 lets ONNX Runtime choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Rows per batched Run; 1 turns batching off.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>How long the oldest queued request may wait for more to join its batch.</summary>
    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Pad batched Runs to bucket sizes; see <see cref="Execution.BatchPadding"/> for why auto means CUDA only.</summary>
    public BatchPadding BatchPadding { get; init; } = BatchPadding.Auto;

    public long MaxRequestBytes { get; init; } = 64L * 1024 * 1024;

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the runtime keeps serving after SIGTERM, not ready, before its listener closes: the time routing takes to
    /// let a terminating pod go (see <see cref="Hosting.DrainDelay"/>). Part of <see cref="ShutdownTimeout"/>.
    /// </summary>
    public TimeSpan DrainDelay { get; init; } = TimeSpan.Zero;

    /// <summary>The drain delay in a pod when none is given: endpoints reach gateways in well under a second.</summary>
    public static readonly TimeSpan PodDrainDelay = TimeSpan.FromSeconds(3);

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Where spans go; off unless asked for (an option, or OTEL_EXPORTER_OTLP_ENDPOINT / SERVING_TRACE_TO).</summary>
    public Serving.Telemetry.Tracing.TracingOptions Tracing { get; init; } = Serving.Telemetry.Tracing.TracingOptions.Off;
}
