using System.Globalization;
using System.Text.Json.Nodes;
using Externalscaler;
using Grpc.Core;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Kube;

namespace Serving.TestCluster.Keda;

/// <summary>
/// What KEDA's operator runs for one ScaledObject, plus the HPA it would create: the reconcile that asks the scaler for
/// the metric spec (its names become <c>status.externalMetricNames</c>; retried with backoff while it fails); the scale
/// loop every <c>pollingInterval</c> (GetMetricSpec, GetMetrics, IsActive per trigger, then <see cref="ScaleDecision"/>);
/// one <c>StreamIsActive</c> stream per <c>external-push</c> trigger, a <c>true</c> acted on at once and a <c>false</c>
/// ignored; and the HPA's sync (<see cref="HorizontalScaling"/>). Decisions for the object are taken under one lock, as
/// KEDA's <c>scalingMutex</c>.
/// </summary>
internal sealed partial class ScaledObjectWorker : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly ScalerConnections _connections;
    private readonly KedaStandInOptions _options;
    private readonly Action<ScaleRecord> _record;
    private readonly ActivityCounts _counts;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _mutex = new(1, 1);
    private readonly HorizontalScaling _hpa;
    private CancellationTokenSource _stop = new();
    private List<Task> _loops = [];
    private Dictionary<ScaledObjectTrigger, ScalerTls> _tls = new(ReferenceEqualityComparer.Instance);
    private IReadOnlyList<string>? _metricNames;
    private DateTimeOffset? _lastActive;
    private (bool Ready, string ReadyMessage, bool? Active) _conditions = (false, "", null);
    private string? _writtenStatus;

    public ScaledObjectWorker(
        ScaledObjectSpec spec, IKubernetes client, ScalerConnections connections, KedaStandInOptions options, Action<ScaleRecord> record, ActivityCounts counts, ILogger logger)
    {
        Spec = spec;
        _client = client;
        _connections = connections;
        _options = options;
        _record = record;
        _counts = counts;
        _logger = logger;
        _hpa = new HorizontalScaling(options.HpaTolerance, options.DownscaleStabilization);
    }

    public ScaledObjectSpec Spec { get; private set; }

    private DateTimeOffset Now => _options.Time.GetUtcNow();

    public void Start()
    {
        var stop = _stop.Token;
        if (Spec.Triggers.Count == 0 || Spec.Triggers.Any(t => !t.IsExternal || t.ScalerAddress is null) || !ScaleTarget.Supported(Spec))
        {
            _conditions = (false, "the KEDA stand-in serves only external and external-push triggers with a scalerAddress, on a Deployment or StatefulSet", null);
            _loops = [WriteStatusAsync(stop)];
            LogUnsupported(_logger, Spec.Key);
            return;
        }

        _loops = [RunAsync(stop)];
    }

    /// <summary>The triggers' TLS settings (KEDA builds its scalers with them), then KEDA's loops.</summary>
    private async Task RunAsync(CancellationToken stop)
    {
        if (await TlsAsync(stop) is not { } tls)
        {
            return;
        }

        _tls = tls;
        await Task.WhenAll([ReconcileAsync(stop), ScaleLoopAsync(stop), HpaLoopAsync(stop), .. Spec.Triggers.Where(t => t.IsPush).Select(t => PushLoopAsync(t, stop))]);
    }

    /// <summary>
    /// Each trigger's <see cref="ScalerTls"/> from its metadata and its authenticationRef's Secrets. While one cannot be
    /// built, as KEDA fails building the scaler, the object is not Ready (the reason in its status) and it is tried again
    /// with the reconcile's backoff; null once stopped.
    /// </summary>
    private async Task<Dictionary<ScaledObjectTrigger, ScalerTls>?> TlsAsync(CancellationToken stop)
    {
        var delay = _options.ReconcileRetryBase;
        while (!stop.IsCancellationRequested)
        {
            var settings = new Dictionary<ScaledObjectTrigger, ScalerTls>(ReferenceEqualityComparer.Instance);
            try
            {
                foreach (var trigger in Spec.Triggers)
                {
                    var authParams = await TriggerAuthentications.ResolveAsync(
                        _client, Spec.Namespace, trigger.Authentication, message => LogSecretUnreadable(_logger, Spec.Key, message), stop);
                    settings[trigger] = ScalerTls.Parse(trigger.Metadata, authParams);
                }

                return settings;
            }
            catch (Exception e) when ((e is UnsupportedAuthenticationException or FormatException || ApiErrors.IsTransient(e)) && !stop.IsCancellationRequested)
            {
                _conditions = (false, $"the scaler's TLS settings: {e.Message}", null);
                LogTlsRefused(_logger, Spec.Key, e.Message, delay.TotalMilliseconds);
                await WriteStatusAsync(stop);
                await Task.Delay(delay, _options.Time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconcileRetryCap.Ticks));
            }
        }

        return null;
    }

    /// <summary>A new generation: KEDA rebuilds its scalers and loops; what it knows of activity (status) and the HPA's history stay.</summary>
    public async Task UpdateAsync(ScaledObjectSpec spec)
    {
        if (spec.Generation == Spec.Generation)
        {
            Spec = spec with { Triggers = Spec.Triggers }; // the same spec: the triggers the TLS settings were resolved for stay
            return;
        }

        await StopLoopsAsync();
        Spec = spec;
        _metricNames = null;
        _stop = new CancellationTokenSource();
        Start();
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync();
        _mutex.Dispose();
    }

    private async Task StopLoopsAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private ScaledObjectRef Reference(ScaledObjectTrigger trigger)
    {
        var reference = new ScaledObjectRef { Name = Spec.Name, Namespace = Spec.Namespace };
        foreach (var (key, value) in trigger.Metadata)
        {
            reference.ScalerMetadata.Add(key, value);
        }

        return reference;
    }

    private ExternalScaler.ExternalScalerClient Client(ScaledObjectTrigger trigger) => _connections.For(trigger.ScalerAddress!, _tls[trigger]);

    /// <summary>The reconcile's part that talks to the scaler: the metric names KEDA gives the HPA (<c>s{index}-{name}</c>).</summary>
    private async Task ReconcileAsync(CancellationToken stop)
    {
        var delay = _options.ReconcileRetryBase;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var names = new List<string>();
                for (int i = 0; i < Spec.Triggers.Count; i++)
                {
                    var trigger = Spec.Triggers[i];
                    var specs = await Client(trigger).GetMetricSpecAsync(Reference(trigger), cancellationToken: stop);
                    names.AddRange(specs.MetricSpecs.Count > 0
                        ? specs.MetricSpecs.Select(s => $"s{i}-{s.MetricName}")
                        : throw new RpcException(new Status(StatusCode.Internal, "got empty metric spec")));
                }

                _metricNames = names;
                _conditions = _conditions with { Ready = true, ReadyMessage = "ScaledObject is defined correctly and is ready for scaling" };
                await WriteStatusAsync(stop);
                return;
            }
            catch (RpcException e) when (!stop.IsCancellationRequested)
            {
                _conditions = _conditions with { Ready = false, ReadyMessage = $"failed to get the metric spec from the scaler: {e.Status.StatusCode}: {e.Status.Detail}" };
                LogReconcileFailed(_logger, Spec.Key, e.Status.StatusCode.ToString(), e.Status.Detail, delay.TotalMilliseconds);
                await WriteStatusAsync(stop);
                await Task.Delay(delay, _options.Time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconcileRetryCap.Ticks));
            }
        }
    }

    /// <summary>KEDA's scale loop: a check at once, then one every pollingInterval.</summary>
    private async Task ScaleLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stop);
                _counts.Polled(Spec.Key);
            }
            catch (Exception e) when (ApiErrors.IsTransient(e) && !stop.IsCancellationRequested)
            {
                LogScaleFailed(_logger, Spec.Key, e.Message);
            }

            await Task.Delay(Spec.PollingInterval, _options.Time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task CheckAsync(CancellationToken stop)
    {
        bool active = false;
        bool error = false;
        foreach (var trigger in Spec.Triggers)
        {
            // A failed call is retried once with a fresh scaler (refreshScaler), then the trigger is in error.
            var state = await TriggerStateAsync(trigger, stop) ?? await TriggerStateAsync(trigger, stop);
            error |= state is null;
            active |= state == true;
        }

        await _mutex.WaitAsync(stop);
        try
        {
            await RequestScaleAsync(active, error, stop);
        }
        finally
        {
            _mutex.Release();
        }
    }

    /// <summary>GetMetricSpec, GetMetrics for each metric, IsActive: true/false, or null when a call failed.</summary>
    private async Task<bool?> TriggerStateAsync(ScaledObjectTrigger trigger, CancellationToken stop)
    {
        var client = Client(trigger);
        var reference = Reference(trigger);
        try
        {
            var specs = await client.GetMetricSpecAsync(reference, cancellationToken: stop);
            if (specs.MetricSpecs.Count == 0)
            {
                return null;
            }

            foreach (var spec in specs.MetricSpecs)
            {
                await client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = reference, MetricName = spec.MetricName }, cancellationToken: stop);
            }

            return (await client.IsActiveAsync(reference, cancellationToken: stop)).Result;
        }
        catch (RpcException e) when (!stop.IsCancellationRequested)
        {
            LogTriggerFailed(_logger, Spec.Key, e.Status.StatusCode.ToString(), e.Status.Detail);
            return null;
        }
    }

    /// <summary>Under the lock: <see cref="ScaleDecision"/> on the target's scale now, written through <c>/scale</c>.</summary>
    private async Task RequestScaleAsync(bool active, bool error, CancellationToken stop)
    {
        var scale = await ScaleTarget.ReadAsync(_client, Spec, stop);
        int current = scale.Spec?.Replicas ?? 0;
        var outcome = ScaleDecision.Decide(Spec, current, active, error, _lastActive, Now);
        _lastActive = outcome.LastActive;
        if (outcome.Replicas is { } replicas && replicas != current)
        {
            await ScaleTarget.WriteAsync(_client, Spec, scale, replicas, stop);
            Record(current, replicas, "keda", outcome.Reason);
        }

        // KEDA keeps Active true while the target cools down.
        bool activeCondition = active || outcome.Reason == "cooling down";
        if (!error && _conditions.Active != activeCondition)
        {
            _conditions = _conditions with { Active = activeCondition };
            await WriteStatusAsync(stop);
        }
    }

    /// <summary>One <c>StreamIsActive</c> stream, reopened after 2 s when it ends cleanly, with a growing delay otherwise.</summary>
    private async Task PushLoopAsync(ScaledObjectTrigger trigger, CancellationToken stop)
    {
        var retry = _options.PushRetryInitial;
        while (!stop.IsCancellationRequested)
        {
            bool clean = false;
            try
            {
                using var call = Client(trigger).StreamIsActive(Reference(trigger), cancellationToken: stop);
                bool opened = false;
                await foreach (var message in call.ResponseStream.ReadAllAsync(stop))
                {
                    if (!opened)
                    {
                        opened = true; // the scaler sends the current state first: the stream is up
                        LogStreamOpened(_logger, Spec.Key, trigger.ScalerAddress!);
                        _counts.StreamOpened(Spec.Key);
                    }

                    if (message.Result)
                    {
                        await PushedAsync(stop); // false is ignored: only the scale loop deactivates
                    }
                }

                clean = true;
                LogStreamEnded(_logger, Spec.Key, "OK");
            }
            catch (RpcException e) when (!stop.IsCancellationRequested)
            {
                LogStreamEnded(_logger, Spec.Key, $"{e.Status.StatusCode}: {e.Status.Detail}");
            }
            catch (Exception e) when (ApiErrors.IsTransient(e) && !stop.IsCancellationRequested)
            {
                LogScaleFailed(_logger, Spec.Key, e.Message);
            }

            if (clean)
            {
                retry = _options.PushRetryInitial;
            }

            await Task.Delay(retry, _options.Time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.PushRetryCap.Ticks));
        }
    }

    private async Task PushedAsync(CancellationToken stop)
    {
        await _mutex.WaitAsync(stop);
        try
        {
            if (_metricNames is null)
            {
                LogPushDropped(_logger, Spec.Key); // no externalMetricNames yet: KEDA drops it ("will retry on next activation")
                return;
            }

            LogPushed(_logger, Spec.Key);
            await RequestScaleAsync(active: true, error: false, stop);
        }
        finally
        {
            _mutex.Release();
        }
    }

    /// <summary>The HPA KEDA creates: every sync, the metrics through KEDA (GetMetricSpec, GetMetrics) into its arithmetic.</summary>
    private async Task HpaLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(_options.HpaSyncPeriod, _options.Time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (stop.IsCancellationRequested || _metricNames is null)
            {
                continue; // KEDA has not created the HPA yet
            }

            try
            {
                await HpaSyncAsync(stop);
            }
            catch (Exception e) when (ApiErrors.IsTransient(e) && !stop.IsCancellationRequested)
            {
                LogScaleFailed(_logger, Spec.Key, e.Message);
            }
        }
    }

    private async Task HpaSyncAsync(CancellationToken stop)
    {
        var scale = await ScaleTarget.ReadAsync(_client, Spec, stop);
        int current = scale.Spec?.Replicas ?? 0;
        if (current == 0)
        {
            return; // ScalingDisabled
        }

        var metrics = new List<(double Sum, double Target)>();
        foreach (var trigger in Spec.Triggers)
        {
            var client = Client(trigger);
            var reference = Reference(trigger);
            try
            {
                foreach (var spec in (await client.GetMetricSpecAsync(reference, cancellationToken: stop)).MetricSpecs)
                {
                    var values = await client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = reference, MetricName = spec.MetricName }, cancellationToken: stop);
                    double sum = values.MetricValues.Sum(v => Quantity(v.MetricValueFloat > 0 ? v.MetricValueFloat : v.MetricValue_));
                    metrics.Add((sum, spec.TargetSizeFloat > 0 ? spec.TargetSizeFloat : spec.TargetSize));
                }
            }
            catch (RpcException e) when (!stop.IsCancellationRequested)
            {
                LogTriggerFailed(_logger, Spec.Key, e.Status.StatusCode.ToString(), e.Status.Detail);
                return; // FailedGetExternalMetric: the HPA changes nothing
            }
        }

        var behavior = HpaBehavior.From(Spec.HpaBehavior, _options.DownscaleStabilization);
        if (_hpa.Sync(current, scale.Status?.Replicas ?? current, metrics, Spec.HpaMinReplicas, Spec.MaxReplicas, behavior, Now) is { } desired)
        {
            await ScaleTarget.WriteAsync(_client, Spec, scale, desired, stop);
            Record(current, desired, "hpa", string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Sum:0.###}/{m.Target:0.###}"))));
        }
    }

    /// <summary>KEDA's <c>quantityFromFloat64</c>: three decimals; NaN, infinities and negative values become 0.</summary>
    private static double Quantity(double value) => double.IsFinite(value) && value > 0 ? Math.Round(value, 3) : 0;

    private void Record(int from, int to, string by, string reason)
    {
        _record(new ScaleRecord(Now, Spec.Key, from, to, by, reason));
        LogScaled(_logger, Spec.Key, from, to, by, reason);
    }

    /// <summary>The status KEDA keeps on the ScaledObject (conditions, metric names, last activity), written when it changes.</summary>
    private async Task WriteStatusAsync(CancellationToken stop)
    {
        var conditions = new JsonArray(Condition("Ready", _conditions.Ready, _conditions.Ready ? "ScaledObjectReady" : "ScaledObjectCheckFailed", _conditions.ReadyMessage));
        if (_conditions.Active is { } active)
        {
            conditions.Add(Condition("Active", active, active ? "ScalerActive" : "ScalerNotActive", active ? "Scaling is performed because triggers are active" : "Scaling is not performed because triggers are not active"));
        }

        var status = new JsonObject
        {
            ["scaleTargetKind"] = $"{Spec.TargetApiVersion}.{Spec.TargetKind}",
            ["hpaName"] = $"keda-hpa-{Spec.Name}",
            ["triggersTypes"] = string.Join(',', Spec.Triggers.Select(t => t.Type)),
            ["conditions"] = conditions,
        };
        if (_metricNames is not null)
        {
            status["externalMetricNames"] = new JsonArray([.. _metricNames.Select(n => (JsonNode)n)]);
        }

        if (_lastActive is { } last)
        {
            status["lastActiveTime"] = last.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        string json = new JsonObject { ["status"] = status }.ToJsonString();
        if (json == _writtenStatus)
        {
            return;
        }

        try
        {
            await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                new V1Patch(json, V1Patch.PatchType.MergePatch), KedaStandIn.Group, KedaStandIn.Version, Spec.Namespace, KedaStandIn.Plural, Spec.Name, cancellationToken: stop);
            _writtenStatus = json;
        }
        catch (Exception e) when (ApiErrors.IsTransient(e) && !stop.IsCancellationRequested)
        {
            LogScaleFailed(_logger, Spec.Key, e.Message); // written again with the next change
        }
    }

    private static JsonObject Condition(string type, bool status, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = status ? "True" : "False",
        ["reason"] = reason,
        ["message"] = message,
    };

    [LoggerMessage(EventId = 700, Level = LogLevel.Warning, Message = "{ScaledObject}: not served by the KEDA stand-in (only external/external-push triggers on a Deployment or StatefulSet)")]
    private static partial void LogUnsupported(ILogger logger, string scaledObject);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "{ScaledObject}: GetMetricSpec failed ({Code}: {Detail}); reconcile again in {DelayMs} ms")]
    private static partial void LogReconcileFailed(ILogger logger, string scaledObject, string code, string detail, double delayMs);

    [LoggerMessage(EventId = 702, Level = LogLevel.Information, Message = "{ScaledObject}: trigger failed ({Code}: {Detail})")]
    private static partial void LogTriggerFailed(ILogger logger, string scaledObject, string code, string detail);

    [LoggerMessage(EventId = 703, Level = LogLevel.Information, Message = "{ScaledObject}: StreamIsActive open on {Address}")]
    private static partial void LogStreamOpened(ILogger logger, string scaledObject, string address);

    [LoggerMessage(EventId = 704, Level = LogLevel.Information, Message = "{ScaledObject}: StreamIsActive ended ({How})")]
    private static partial void LogStreamEnded(ILogger logger, string scaledObject, string how);

    [LoggerMessage(EventId = 705, Level = LogLevel.Information, Message = "{ScaledObject}: pushed active")]
    private static partial void LogPushed(ILogger logger, string scaledObject);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "{ScaledObject}: push dropped, no externalMetricNames yet; will retry on next activation")]
    private static partial void LogPushDropped(ILogger logger, string scaledObject);

    [LoggerMessage(EventId = 707, Level = LogLevel.Information, Message = "{ScaledObject}: scaled {From} -> {To} by {By} ({Reason})")]
    private static partial void LogScaled(ILogger logger, string scaledObject, int from, int to, string by, string reason);

    [LoggerMessage(EventId = 708, Level = LogLevel.Warning, Message = "{ScaledObject}: {Message}")]
    private static partial void LogScaleFailed(ILogger logger, string scaledObject, string message);

    [LoggerMessage(EventId = 709, Level = LogLevel.Warning, Message = "{ScaledObject}: cannot dial the scaler: {Message}; again in {DelayMs} ms")]
    private static partial void LogTlsRefused(ILogger logger, string scaledObject, string message, double delayMs);

    [LoggerMessage(EventId = 710, Level = LogLevel.Warning, Message = "{ScaledObject}: authenticationRef: {Message}; the parameter is empty")]
    private static partial void LogSecretUnreadable(ILogger logger, string scaledObject, string message);
}
