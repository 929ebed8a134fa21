using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Auth;
using Serving.Gateway.Balancing;
using Serving.Gateway.Graph;
using Serving.Gateway.Hosting;
using Serving.Gateway.Observability;
using Serving.Gateway.Proxy.Http1;
using Serving.Gateway.Revisions;
using Serving.Gateway.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Serving.Gateway.Proxy;

/// <summary>
/// The data path, one hop: resolve the target, admit the request when the target has an auth policy, pick the
/// revision (tag or weighted split), count the request, take a replica slot (or wait for one in the activator), forward
/// (plain requests directly, the rest with YARP), map failures in one place.
/// </summary>
internal sealed partial class ProxyHandler(
    ServiceCatalog catalog,
    GatewayOptions options,
    Http1Forwarder direct,
    IHttpForwarder forwarder,
    BackendClient backend,
    ITrafficDraw draw,
    ForwardedHeaders forwardedHeaders,
    GraphHandler graphs,
    AuthGate auth,
    GatewayMetrics metrics,
    ILogger<ProxyHandler> logger)
{
    /// <summary>Set to <c>true</c> on responses that waited for a revision with no ready replica.</summary>
    public const string ColdStartHeader = "X-Cold-Start";

    // Keyed by the snapshot's entry, so transformers of services that are gone are collected with their snapshot.
    private readonly ConditionalWeakTable<ServiceEntry, KServeTransformer> _transformers = new();
    private readonly ConditionalWeakTable<ServiceEntry, KServeTransformer>.CreateValueCallback _newTransformer =
        service => new KServeTransformer(service.Key, forwardedHeaders);

    public async Task InvokeAsync(HttpContext context)
    {
        long start = Stopwatch.GetTimestamp();
        // Tracing off: both are null after one check, and nothing below allocates for them.
        using var trace = GatewayTracing.StartRequest(context);
        using var routing = trace is null ? null : GatewayTracing.Start("gateway.route");
        if (!TargetResolver.TryResolve(catalog.Current, context, out var route))
        {
            // Graphs are looked up only when no InferenceService matched: an isvc wins a name both use.
            if (graphs.TryResolve(context, out var graph))
            {
                routing?.SetTag("serving.graph", graph.Key.ToString());
                routing?.Dispose();
                await graphs.InvokeAsync(context, graph);
                GatewayTracing.Ended(trace, context.Response.StatusCode, coldStart: context.Response.Headers.ContainsKey(ColdStartHeader));
                return;
            }

            int notFound = await GatewayErrors.WriteAsync(
                context, GatewayError.UnknownTarget, $"no InferenceService serves host '{context.Request.Host.Host}' or path '{context.Request.Path}'");
            metrics.Unrouted.Request(notFound, Stopwatch.GetElapsedTime(start).TotalSeconds);
            GatewayTracing.Ended(trace, notFound, coldStart: false);
            return;
        }

        if (route.Service.Auth is { } policy)
        {
            // Before anything is done for it: a refused request never wakes a revision nor counts as its load.
            int refused = await auth.AdmitAsync(context, policy, AuthGate.ServiceKind, route.Service.Key);
            if (refused != 0)
            {
                metrics.Unrouted.Request(refused, Stopwatch.GetElapsedTime(start).TotalSeconds);
                GatewayTracing.Ended(trace, refused, coldStart: false);
                return;
            }
        }

        // A request held for a revision that traffic then left (a rollout finished while it waited) is routed again:
        // nothing of it was sent yet. A few times at most, so that a flapping rollout cannot keep it forever.
        for (int attempt = 1; ; attempt++)
        {
            var component = route.Component ?? route.Service.Entry(TargetResolver.IsExplain(context.Request));
            var revision = route.Pinned ?? component?.Pick(draw.Next());
            if (revision is null)
            {
                int unavailable = route.Service.Problem is { } problem
                    ? await GatewayErrors.WriteAsync(context, GatewayError.NoTraffic, $"InferenceService {route.Service.Key} cannot serve: {problem.Message}", problem.Reason)
                    : await GatewayErrors.WriteAsync(context, GatewayError.NoTraffic, $"InferenceService {route.Service.Key} has no revision to route to");
                metrics.Unrouted.Request(unavailable, Stopwatch.GetElapsedTime(start).TotalSeconds);
                GatewayTracing.Ended(trace, unavailable, coldStart: false);
                return;
            }

            if (context.Request.ContentLength > options.MaxRequestBodyBytes)
            {
                // Refused before a replica is woken or a byte is read; the connection closes instead of draining the upload.
                int tooLarge = await GatewayErrors.WriteAsync(context, GatewayError.RequestTooLarge,
                    $"the request body of {context.Request.ContentLength} bytes is larger than the gateway's limit of {options.MaxRequestBodyBytes} bytes");
                revision.Metrics.Request(tooLarge, Stopwatch.GetElapsedTime(start).TotalSeconds);
                GatewayTracing.Ended(trace, tooLarge, coldStart: false);
                return;
            }

            routing?.Dispose();
            if (await ServeAsync(context, route, revision, start, retryIfGone: attempt < 3, trace))
            {
                return;
            }

            if (!TryRouteAgain(catalog.Current, context, route, out route))
            {
                int gone = await GatewayErrors.WriteAsync(context, GatewayError.RevisionGone, $"InferenceService {route.Service.Key} is no longer served");
                metrics.Unrouted.Request(gone, Stopwatch.GetElapsedTime(start).TotalSeconds);
                GatewayTracing.Ended(trace, gone, coldStart: false);
                return;
            }
        }
    }

    /// <summary>Serves the request on <paramref name="revision"/>; false when it must be routed again (its revision left while it was held).</summary>
    private async ValueTask<bool> ServeAsync(HttpContext context, HostRoute route, RevisionState revision, long start, bool retryIfGone, Activity? trace)
    {
        int status = StatusCodes.Status500InternalServerError;
        bool retry = false;
        bool cold = false;
        revision.Stats.Arrive();
        GatewayTracing.Routed(trace, revision);
        try
        {
            var lease = await revision.AcquireAsync(context.RequestAborted);
            try
            {
                if (lease.ColdStart)
                {
                    cold = true;
                    context.Response.Headers[ColdStartHeader] = "true";
                }

                var outcome = await ForwardAsync(context, route.Service, lease.Replica, trace);
                if (outcome.NotSent && revision.TryAcquireOther(lease.Replica) is { } other)
                {
                    // Refused before a byte left (a replica that died and is not out of routing yet): once more, on another
                    // ready replica, as Istio retries a connect failure. A request that reached a replica is never sent twice.
                    LogRefused(logger, lease.Replica.Address);
                    lease.Dispose();
                    lease = other;
                    outcome = await ForwardAsync(context, route.Service, lease.Replica, trace);
                }

                status = outcome.Error == GatewayError.None
                    ? context.Response.StatusCode
                    : await OnForwardErrorAsync(context, outcome, lease.Replica.Address);
            }
            finally
            {
                lease.Dispose();
            }
        }
        catch (GatewayException e) when (e.Error == GatewayError.RevisionGone && retryIfGone && !context.Response.HasStarted)
        {
            retry = true;
            LogRoutedAgain(logger, revision.Key.ToString());
        }
        catch (GatewayException e)
        {
            status = await GatewayErrors.WriteAsync(context, e.Error, e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = GatewayErrors.ClientClosedRequest;
            LogClientGone(logger, revision.Key.ToString());
        }
        finally
        {
            revision.Stats.Depart();
            if (!retry)
            {
                revision.Metrics.Request(status, Stopwatch.GetElapsedTime(start).TotalSeconds);
                GatewayTracing.Ended(trace, status, cold);
            }
        }

        return !retry;
    }

    /// <summary>The request's target in a newer snapshot: by its host (tag and component hosts), else by its service (path form).</summary>
    private static bool TryRouteAgain(RoutingTable table, HttpContext context, HostRoute previous, out HostRoute route)
    {
        if (table.TryGetHost(context.Request.Host.Host, out route))
        {
            return true;
        }

        if (table.TryGetService(previous.Service.Key, out var service))
        {
            route = new HostRoute(service, null, null);
            return true;
        }

        route = previous;
        return false;
    }

    /// <summary>One forward to <paramref name="replica"/>: the direct path when the request is plain enough, else YARP.</summary>
    private async ValueTask<ForwardOutcome> ForwardAsync(HttpContext context, ServiceEntry service, Replica replica, Activity? trace)
    {
        bool directPath = options.Forwarder == ForwarderMode.Direct && replica.Connections is not null && Http1Forwarder.Accepts(context.Request);
        using var forward = GatewayTracing.StartForward(trace, replica.Address, directPath ? "direct" : "yarp");
        var outcome = directPath ? await direct.ForwardAsync(context, replica.Connections!, service.Key, forward) : ForwardOutcome.NotTaken;
        if (outcome.Declined)
        {
            forward?.SetTag("serving.forwarder", "yarp");
            outcome = await ForwardWithYarpAsync(context, service, replica.Address);
        }

        GatewayTracing.Ended(forward, outcome.Error == GatewayError.None ? context.Response.StatusCode : GatewayErrors.StatusOf(outcome.Error), coldStart: false);
        return outcome;
    }

    private async ValueTask<ForwardOutcome> ForwardWithYarpAsync(HttpContext context, ServiceEntry service, string replica)
    {
        var transformer = _transformers.GetValue(service, _newTransformer);
        var error = await forwarder.SendAsync(context, replica, backend.Forwarding, backend.Config, transformer);
        if (error == ForwarderError.None)
        {
            return ForwardOutcome.Success;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        return new(GatewayErrors.FromForwarder(error, exception), error.ToString(), exception);
    }

    private async ValueTask<int> OnForwardErrorAsync(HttpContext context, ForwardOutcome outcome, string replica)
    {
        if (outcome.Error == GatewayError.ClientGone)
        {
            LogClientGone(logger, replica);
            return await GatewayErrors.WriteAsync(context, outcome.Error, "");
        }

        if (outcome.Error == GatewayError.RequestTooLarge)
        {
            LogTooLarge(logger, replica);
            return await GatewayErrors.WriteAsync(context, outcome.Error, $"the request body is larger than the gateway's limit of {options.MaxRequestBodyBytes} bytes");
        }

        // The replica's address and the bytes it sent go to the log only (a pod IP is nobody's business outside).
        // The bytes a replica sent are quoted only with --log-payloads: they may be a piece of a response body.
        // (so are the exception's messages: YARP's client quotes a bad header line in them).
        LogBackendError(logger, options.LogPayloads ? outcome.Exception : null, replica, outcome.Error, outcome.Detail,
            options.LogPayloads ? (outcome.Exception as ReplicaProtocolException)?.Detail : outcome.Exception?.GetType().Name);
        return await GatewayErrors.WriteAsync(context, outcome.Error, GatewayErrors.BackendMessage(outcome.Error, outcome.Detail));
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Forwarding to {Replica} failed: {Error} {Detail} {Received}")]
    private static partial void LogBackendError(ILogger logger, Exception? exception, string replica, GatewayError error, string? detail, string? received);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Request body over the limit while forwarding to {Replica}")]
    private static partial void LogTooLarge(ILogger logger, string replica);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Client went away ({Target})")]
    private static partial void LogClientGone(ILogger logger, string target);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "{Replica} refused the connection; the request goes to another replica")]
    private static partial void LogRefused(ILogger logger, string replica);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Revision} left routing while a request waited for it; routing the request again")]
    private static partial void LogRoutedAgain(ILogger logger, string revision);
}
