using Externalscaler;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Serving.Scaler.Activity;

namespace Serving.Scaler.Keda;

/// <summary>
/// KEDA's <c>externalscaler.ExternalScaler</c>, thin over <see cref="TargetQueries"/> and <see cref="ActivityHub"/>.
/// Streams end with OK when the host stops, so that KEDA sees EOF and reconnects after ~2 s instead of backing off.
/// </summary>
internal sealed class ExternalScalerService(TargetQueries queries, ActivityHub hub, IHostApplicationLifetime lifetime)
    : ExternalScaler.ExternalScalerBase
{
    public override Task<IsActiveResponse> IsActive(ScaledObjectRef request, ServerCallContext context) => Answer(() =>
        new IsActiveResponse { Result = queries.IsActive(Target(request), queries.Now) });

    public override Task<GetMetricSpecResponse> GetMetricSpec(ScaledObjectRef request, ServerCallContext context) => Answer(() =>
    {
        var target = Target(request);
        queries.Revisions(target);
        return new GetMetricSpecResponse { MetricSpecs = { Spec(target) } };
    });

    public override Task<GetMetricsResponse> GetMetrics(GetMetricsRequest request, ServerCallContext context) => Answer(() =>
    {
        var target = Target(request.ScaledObjectRef ?? throw new ScalerException(ScalerError.InvalidMetadata, "GetMetricsRequest.scaledObjectRef is missing"));

        // Exactly the metric asked for: the HPA sums every value it gets (KEDA HTTP add-on bug #1659). Empty = ours.
        string name = request.MetricName;
        if (name.Length > 0 && name != target.MetricName)
        {
            throw new ScalerException(ScalerError.UnknownMetric, $"metric '{name}' is not served for this ScaledObject; its metric is '{target.MetricName}'");
        }

        double value = queries.Value(target, queries.Now);
        return new GetMetricsResponse
        {
            MetricValues = { new MetricValue { MetricName = target.MetricName, MetricValueFloat = value, MetricValue_ = (long)Math.Ceiling(value) } },
        };
    });

    public override async Task StreamIsActive(ScaledObjectRef request, IServerStreamWriter<IsActiveResponse> responseStream, ServerCallContext context)
    {
        var target = await Answer(() => Target(request));
        var now = queries.Now;
        bool active;
        try
        {
            active = queries.IsActive(target, now);
        }
        catch (ScalerException e) when (e.Error == ScalerError.Stale)
        {
            active = false; // no news yet; a push follows as soon as the feed is back
        }
        catch (ScalerException e)
        {
            throw ScalerErrors.ToRpc(e);
        }

        var watcher = new Watcher(target);
        watcher.Open(active, now);
        hub.Add(watcher);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (bool message in watcher.Messages.ReadAllAsync(stop.Token))
            {
                await responseStream.WriteAsync(new IsActiveResponse { Result = message }, stop.Token);
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Shutting down: returning completes the stream with OK.
        }
        finally
        {
            hub.Remove(watcher);
        }
    }

    public override async Task StreamMetricSpec(ScaledObjectRef request, IServerStreamWriter<GetMetricSpecResponse> responseStream, ServerCallContext context)
    {
        // The spec comes from the metadata alone, which cannot change during a stream: send it once, then hold the
        // stream open (KEDA treats an ended stream as a failure to back off from).
        var spec = await GetMetricSpec(request, context);
        await responseStream.WriteAsync(spec);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
        }
    }

    private static MetricSpec Spec(ScaledObjectTarget target) => new()
    {
        MetricName = target.MetricName,
        TargetSizeFloat = target.Target,
        TargetSize = Math.Max(1, (long)Math.Round(target.Target)), // for KEDA before 2.17, which reads only the integer
    };

    private static ScaledObjectTarget Target(ScaledObjectRef request) =>
        ScaledObjectTarget.Parse(request.Namespace, request.ScalerMetadata);

    private static Task<T> Answer<T>(Func<T> answer)
    {
        try
        {
            return Task.FromResult(answer());
        }
        catch (ScalerException e)
        {
            throw ScalerErrors.ToRpc(e);
        }
    }
}
