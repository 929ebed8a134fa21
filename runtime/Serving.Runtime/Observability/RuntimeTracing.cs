using System.Diagnostics;

namespace Serving.Runtime.Observability;

/// <summary>
/// The runtime's spans (source <see cref="SourceName"/>): <c>runtime.request</c> (server, child of the caller's
/// <c>traceparent</c>: the gateway's forward span), and under it <c>runtime.queue</c> (time waiting for a batch) and
/// <c>runtime.run</c> (ONNX Runtime's Run, with the batch's rows and requests). Off: nothing listens, nothing is made.
/// </summary>
internal static class RuntimeTracing
{
    public const string SourceName = "Serving.Runtime";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span's context when tracing is on and a request is traced; null otherwise (no span to join).</summary>
    public static ActivityContext? Current() => Source.HasListeners() && Activity.Current is { } current ? current.Context : null;
}
