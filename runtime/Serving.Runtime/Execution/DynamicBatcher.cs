using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Prometheus;
using Serving.Runtime.Models;
using Serving.Runtime.Observability;
using Serving.Runtime.Protocol;
using Serving.Runtime.Tensors;
using Serving.Telemetry.Tracing;

namespace Serving.Runtime.Execution;

/// <summary>
/// Coalesces concurrent requests into one Run: a batch starts with the oldest waiting request and takes
/// compatible requests until it holds <c>maxBatchSize</c> rows or <c>maxDelay</c> has passed since that request
/// arrived. With no delay it is eager: whatever queued up while the previous batch ran goes into the next.
/// With <see cref="BatchBuckets"/> (see <see cref="BatchPadding"/>) every batch is padded with zero rows up to a
/// bucket size and run on that size's own session; each request still gets only its own rows, and the batch-size
/// metric counts real rows.
/// </summary>
internal sealed partial class DynamicBatcher : IModelExecutor
{
    private readonly OnnxModel _model;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _maxDelay;
    private readonly BatchBuckets? _buckets;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<BatchItem> _queue = Channel.CreateUnbounded<BatchItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<BatchItem> _held = new();
    private readonly Histogram.Child _runDuration;
    private readonly Histogram.Child _batchSize;
    private readonly Histogram.Child _batchWait;
    private readonly Counter _paddedRuns;
    private readonly Counter.Child _paddingRows;
    private readonly Task _loop;

    public DynamicBatcher(
        OnnxModel model, int maxBatchSize, TimeSpan maxDelay, BatchBuckets? buckets, RuntimeMetrics metrics, TimeProvider time, ILogger logger)
    {
        _model = model;
        _maxBatchSize = maxBatchSize;
        _maxDelay = maxDelay;
        _buckets = buckets;
        _time = time;
        _logger = logger;
        _runDuration = metrics.RunDuration.WithLabels(model.Name);
        _batchSize = metrics.BatchSize.WithLabels(model.Name);
        _batchWait = metrics.BatchWait.WithLabels(model.Name);
        _paddedRuns = metrics.PaddedRuns;
        _paddingRows = metrics.PaddingRows.WithLabels(model.Name);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>True when batches are padded to bucket sizes.</summary>
    public bool Pads => _buckets is not null;

    public async ValueTask<Tensor[]> RunAsync(Tensor[] inputs, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new BatchItem(inputs, _time.GetTimestamp())
        {
            Trace = RuntimeTracing.Current() is { } parent ? (parent, _time.GetUtcNow()) : null,
        };
        if (!_queue.Writer.TryWrite(item))
        {
            throw new InferenceException(ErrorKind.ServerNotReady, $"model {_model.Name} is shutting down");
        }

        // A cancelled request leaves the queue: the loop skips completed items.
        await using var registration = cancellationToken.Register(
            static state => ((BatchItem)state!).TrySetCanceled(), item);
        return await item.Task;
    }

    /// <summary>Stops taking requests, finishes every queued one, then returns.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task LoopAsync()
    {
        var batch = new List<BatchItem>(_maxBatchSize);
        while (await NextAsync() is { } first)
        {
            batch.Add(first);
            long rows = first.Rows;
            long deadline = first.EnqueuedAt + (long)(_maxDelay.TotalSeconds * _time.TimestampFrequency);
            while (rows < _maxBatchSize)
            {
                if (_queue.Reader.TryRead(out var next))
                {
                    if (next.IsDone)
                    {
                        continue;
                    }

                    bool fits = rows + next.Rows <= _maxBatchSize;
                    if (!fits || !next.FitsWith(first))
                    {
                        _held.Enqueue(next);
                        if (!fits)
                        {
                            break;
                        }

                        continue;
                    }

                    batch.Add(next);
                    rows += next.Rows;
                    continue;
                }

                long remaining = deadline - _time.GetTimestamp();
                if (remaining <= 0 || !await WaitForMoreAsync(remaining))
                {
                    break;
                }
            }

            Execute(batch);
            batch.Clear();
        }
    }

    private async ValueTask<BatchItem?> NextAsync()
    {
        while (true)
        {
            if (_held.TryDequeue(out var held))
            {
                if (!held.IsDone)
                {
                    return held;
                }

                continue;
            }

            if (!await _queue.Reader.WaitToReadAsync())
            {
                return null;
            }

            if (_queue.Reader.TryRead(out var item) && !item.IsDone)
            {
                return item;
            }
        }
    }

    private async ValueTask<bool> WaitForMoreAsync(long remainingTicks)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((double)remainingTicks / _time.TimestampFrequency), _time);
        try
        {
            return await _queue.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Execute(List<BatchItem> batch)
    {
        batch.RemoveAll(item => item.IsDone);
        if (batch.Count == 0)
        {
            return;
        }

        long start = _time.GetTimestamp();
        var startedAt = RuntimeTracing.Source.HasListeners() ? _time.GetUtcNow() : default;
        long rows = 0;
        foreach (var item in batch)
        {
            rows += item.Rows;
            _batchWait.Observe(_time.GetElapsedTime(item.EnqueuedAt, start).TotalSeconds);
        }

        byte[][] rented = [];
        try
        {
            if (_buckets?.For(rows) is { } bucket)
            {
                var inputs = batch.Count == 1 && rows == bucket ? batch[0].Inputs : Stack(batch, rows, bucket, out rented);
                Split(batch, bucket, RunPadded(inputs, bucket, rows));
            }
            else if (batch.Count == 1)
            {
                batch[0].TrySetResult(_model.Run(batch[0].Inputs, CancellationToken.None));
            }
            else
            {
                var inputs = Stack(batch, rows, rows, out rented);
                Split(batch, rows, _model.Run(inputs, CancellationToken.None));
            }
        }
        catch (Exception e)
        {
            if (e is not InferenceException)
            {
                LogBatchFailed(_logger, e, _model.Name, batch.Count);
            }

            foreach (var item in batch)
            {
                item.TrySetException(e);
            }
        }
        finally
        {
            foreach (byte[] buffer in rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        _runDuration.Observe(_time.GetElapsedTime(start).TotalSeconds);
        _batchSize.Observe(rows);
        if (startedAt != default)
        {
            RecordSpans(batch, startedAt, _time.GetUtcNow(), rows);
        }
    }

    /// <summary>Each traced request's time in the queue and its share of the Run, recorded now that both are known.</summary>
    private static void RecordSpans(List<BatchItem> batch, DateTimeOffset started, DateTimeOffset ended, long rows)
    {
        foreach (var item in batch)
        {
            if (item.Trace is not { } trace)
            {
                continue;
            }

            TraceContext.Record(RuntimeTracing.Source, "runtime.queue", trace.Parent, trace.At, started);
            TraceContext.Record(RuntimeTracing.Source, "runtime.run", trace.Parent, started, ended,
                new("serving.batch.rows", rows), new("serving.batch.requests", batch.Count));
        }
    }

    private Tensor[] RunPadded(Tensor[] inputs, int bucket, long rows)
    {
        var outputs = _model.RunOnBatchSession(inputs, CancellationToken.None, out bool created);
        if (created)
        {
            LogBucketSession(_logger, _model.Name, bucket);
        }

        _paddedRuns.WithLabels(_model.Name, bucket.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        _paddingRows.Inc(bucket - rows);
        return outputs;
    }

    /// <summary>Stacks the requests' rows into one tensor per input, followed by zero rows up to <paramref name="paddedRows"/>.</summary>
    private static Tensor[] Stack(List<BatchItem> batch, long rows, long paddedRows, out byte[][] rented)
    {
        var first = batch[0].Inputs;
        var stacked = new Tensor[first.Length];
        var buffers = new List<byte[]>(first.Length);
        for (int i = 0; i < first.Length; i++)
        {
            long[] shape = [paddedRows, .. first[i].Shape.AsSpan(1)];
            if (first[i].DataType == DataType.Bytes)
            {
                var elements = batch.SelectMany(item => item.Inputs[i].Elements!).ToList();
                int perRow = elements.Count / (int)rows;
                elements.AddRange(Enumerable.Repeat(ReadOnlyMemory<byte>.Empty, (int)(paddedRows - rows) * perRow));
                stacked[i] = new Tensor(first[i].Name, shape, [.. elements]);
                continue;
            }

            int total = 0;
            foreach (var item in batch)
            {
                total += item.Inputs[i].Data.Length;
            }

            int padding = (int)(total / rows * (paddedRows - rows));
            byte[] buffer = ArrayPool<byte>.Shared.Rent(total + padding);
            buffers.Add(buffer);
            int offset = 0;
            foreach (var item in batch)
            {
                var data = item.Inputs[i].Data.Span;
                data.CopyTo(buffer.AsSpan(offset));
                offset += data.Length;
            }

            buffer.AsSpan(total, padding).Clear();
            stacked[i] = new Tensor(first[i].Name, first[i].DataType, shape, buffer.AsMemory(0, total + padding));
        }

        rented = [.. buffers];
        return stacked;
    }

    private void Split(List<BatchItem> batch, long rows, Tensor[] outputs)
    {
        foreach (var output in outputs)
        {
            if (output.Shape.Length == 0 || output.Shape[0] != rows)
            {
                throw new InferenceException(
                    ErrorKind.InferenceFailed,
                    $"model {_model.Name} output '{output.Name}' has shape {Shapes.Format(output.Shape)} for a batch of {rows} rows; " +
                    "its first dimension is not a batch dimension, start the runtime with --max-batch-size 1" +
                    (rows > batch.Sum(item => item.Rows) ? " (this batch was padded; --batch-padding off pads none)" : ""));
            }
        }

        long offsetRows = 0;
        foreach (var item in batch)
        {
            var slices = new Tensor[outputs.Length];
            for (int o = 0; o < outputs.Length; o++)
            {
                slices[o] = Slice(outputs[o], rows, offsetRows, item.Rows);
            }

            offsetRows += item.Rows;
            item.TrySetResult(slices);
        }
    }

    private static Tensor Slice(Tensor output, long rows, long firstRow, long count)
    {
        long[] shape = [count, .. output.Shape.AsSpan(1)];
        if (output.Elements is { } elements)
        {
            int perRow = (int)(elements.Length / rows);
            return new Tensor(output.Name, shape, elements.AsSpan((int)firstRow * perRow, (int)count * perRow).ToArray());
        }

        int rowBytes = (int)(output.Data.Length / rows);
        return new Tensor(output.Name, output.DataType, shape, output.Data.Slice((int)firstRow * rowBytes, (int)count * rowBytes));
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information,
        Message = "Model {Model}: first batch padded to {Rows} rows, on a session of its own for that size")]
    private static partial void LogBucketSession(ILogger logger, string model, int rows);

    [LoggerMessage(EventId = 200, Level = LogLevel.Error, Message = "Batch of {Count} requests for model {Model} failed")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string model, int count);
}
