using System.Diagnostics;
using Prometheus;
using Serving.Runtime.Models;
using Serving.Runtime.Observability;
using Serving.Runtime.Tensors;

namespace Serving.Runtime.Execution;

/// <summary>One Run per request, on the request's thread: for models without a batch dimension, or batching off.</summary>
internal sealed class DirectExecutor(OnnxModel model, RuntimeMetrics metrics) : IModelExecutor
{
    private readonly Histogram.Child _runDuration = metrics.RunDuration.WithLabels(model.Name);
    private readonly Histogram.Child _batchSize = metrics.BatchSize.WithLabels(model.Name);

    public ValueTask<Tensor[]> RunAsync(Tensor[] inputs, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        using var span = RuntimeTracing.Current() is null ? null : RuntimeTracing.Source.StartActivity("runtime.run");
        span?.SetTag("serving.batch.rows", inputs[0].Shape.Length > 0 ? inputs[0].Shape[0] : 1);
        var outputs = model.Run(inputs, cancellationToken);
        _runDuration.Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
        _batchSize.Observe(inputs[0].Shape.Length > 0 ? inputs[0].Shape[0] : 1);
        return ValueTask.FromResult(outputs);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
