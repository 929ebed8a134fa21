using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Runtime.Execution;
using Serving.Runtime.Hosting;
using Serving.Runtime.Observability;

namespace Serving.Runtime.Models;

/// <summary>Loads every discovered model in the background so that liveness answers at once.</summary>
internal sealed partial class ModelLoader(
    ModelRegistry registry,
    SessionFactory sessions,
    RuntimeOptions options,
    RuntimeMetrics metrics,
    TimeProvider time,
    ILogger<ModelLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        foreach (var served in registry.All)
        {
            stoppingToken.ThrowIfCancellationRequested();
            Load(served);
        }
    }

    private void Load(ServedModel served)
    {
        var location = served.Location;
        try
        {
            var model = OnnxModel.Load(location, sessions);
            bool batching = options.MaxBatchSize > 1 && model.SupportsBatching;
            var buckets = batching && Pads(options.BatchPadding, model.Device) ? new BatchBuckets(options.MaxBatchSize) : null;
            IModelExecutor executor = batching
                ? new DynamicBatcher(model, options.MaxBatchSize, options.MaxBatchDelay, buckets, metrics, time, logger)
                : new DirectExecutor(model, metrics);
            served.SetReady(model, executor);
            metrics.ModelReady.WithLabels(location.Name, location.Version ?? "").Set(1);
            LogLoaded(logger, location.Name, location.Version ?? "-", location.Path, model.Device,
                !batching ? "off"
                : $"on (max {options.MaxBatchSize} rows, max delay {options.MaxBatchDelay.TotalMilliseconds} ms, " +
                  (buckets is null ? "no padding)" : $"padded to {buckets} rows)"));
        }
        catch (Exception e)
        {
            served.SetFailed(e.Message);
            LogLoadFailed(logger, e, location.Name, location.Path);
        }
    }

    /// <summary>Auto pads on CUDA only: there a shape change costs a re-preparation, on CPU padding only wastes work.</summary>
    internal static bool Pads(BatchPadding padding, string device) =>
        padding == BatchPadding.On || (padding == BatchPadding.Auto && device == SessionFactory.Cuda);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Model {Model} version {Version} loaded from {Path} on {Device}, batching {Batching}")]
    private static partial void LogLoaded(ILogger logger, string model, string version, string path, string device, string batching);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Model {Model} failed to load from {Path}")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string model, string path);
}
