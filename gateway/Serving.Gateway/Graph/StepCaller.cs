using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Auth;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Observability;
using Serving.Gateway.Proxy;
using Serving.Gateway.Routing;

namespace Serving.Gateway.Graph;

/// <summary>
/// Sends one step's request. An InferenceService step goes in process through what direct traffic goes through:
/// the routing snapshot, the canary draw, accounting, the activator (a service at zero replicas is held and
/// cold-starts) and least-in-flight, then one POST to the replica. Failures of that path become the response a direct
/// client would have had (503, 504, 502 with <c>{"error"}</c>), which the graph treats as a step's answer, as KServe's
/// router sees the ingress's answer. A <c>serviceUrl</c> step is a plain POST; a transport failure is an error (500).
/// Every call is bounded by <c>routerTimeouts.serviceClient</c> (else the gateway's backend timeout): 504 naming the step.
/// A step on a service with an auth policy is checked first with the graph caller's credentials (401/403/503 as its answer).
/// </summary>
internal sealed class StepCaller(ServiceCatalog catalog, BackendClient backend, ITrafficDraw draw, AuthGate auth, GatewayOptions options, TimeProvider time)
{
    public async Task<StepResult> CallAsync(GraphNode node, GraphStep step, byte[] body, GraphCall call, CancellationToken cancellationToken)
    {
        using var span = GatewayTracing.Start("graph.step");
        span?.SetTag("serving.graph.node", node.Name);
        span?.SetTag("serving.graph.step", step.Key);
        span?.SetTag("serving.graph.target", step.Target.ToString());
        var timeout = call.Graph.StepTimeout ?? options.BackendTimeout;
        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return step.Target switch
            {
                ServiceTarget service => await CallServiceAsync(service.Service, body, call, linked.Token),
                UrlTarget url => await CallUrlAsync(node, step, url.Url, body, call, linked.Token),
                _ => throw new InvalidOperationException($"step '{step.Key}' has no service to call"),
            };
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new GraphFailure(
                StatusCodes.Status504GatewayTimeout,
                $"step '{step.Key}' of node '{node.Name}' ({step.Target}) did not answer within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s",
                keepStatus: true);
        }
    }

    private async Task<StepResult> CallServiceAsync(ServiceKey key, byte[] body, GraphCall call, CancellationToken cancellationToken)
    {
        if (!catalog.Current.TryGetService(key, out var service))
        {
            return Error(GatewayError.UnknownTarget, $"InferenceService {key} is not served");
        }

        if (service.Auth is { } policy)
        {
            // The graph is no way around a protected service: its caller's credentials must pass the service's policy.
            var verdict = await auth.CheckAsync(policy, AuthGate.ServiceKind, key, call.Credentials, cancellationToken);
            if (!verdict.IsAdmitted)
            {
                var (error, message) = AuthGate.Refusal(verdict, policy, AuthGate.ServiceKind, key);
                return Error(error, message);
            }
        }

        var revision = service.Entry(explain: false)?.Pick(draw.Next());
        if (revision is null)
        {
            return Error(GatewayError.NoTraffic, service.Problem is { } problem
                ? $"InferenceService {key} cannot serve: {problem.Message}"
                : $"InferenceService {key} has no revision to route to");
        }

        long start = Stopwatch.GetTimestamp();
        int status = GatewayErrors.ClientClosedRequest;
        revision.Stats.Arrive();
        try
        {
            using var lease = await revision.AcquireAsync(cancellationToken);
            if (lease.ColdStart)
            {
                call.MarkColdStart();
            }

            string path = service.ProtocolVersion == "v2" ? $"/v2/models/{key.Name}/infer" : $"/v1/models/{key.Name}:predict";
            using var forward = GatewayTracing.Start("gateway.forward", ActivityKind.Client);
            forward?.SetTag("server.address", lease.Replica.Address);
            using var request = Request(new Uri(lease.Replica.Address + path), body, call);
            GatewayTracing.Inject(forward, request.Headers);
            request.Headers.TryAddWithoutValidation("KServe-Isvc-Name", key.Name);
            request.Headers.TryAddWithoutValidation("KServe-Isvc-Namespace", key.Namespace);
            try
            {
                var result = await SendAsync(request, cancellationToken);
                status = result.Status;
                return result;
            }
            catch (HttpRequestException) when (!cancellationToken.IsCancellationRequested)
            {
                var error = Error(GatewayError.BackendUnreachable, GatewayErrors.BackendMessage(GatewayError.BackendUnreachable, null));
                status = error.Status;
                return error;
            }
        }
        catch (GatewayException e)
        {
            var error = Error(e.Error, e.Message);
            status = error.Status;
            return error;
        }
        finally
        {
            revision.Stats.Depart();
            revision.Metrics.Request(status, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
    }

    private async Task<StepResult> CallUrlAsync(GraphNode node, GraphStep step, Uri url, byte[] body, GraphCall call, CancellationToken cancellationToken)
    {
        using var forward = GatewayTracing.Start("gateway.forward", ActivityKind.Client);
        forward?.SetTag("server.address", url.GetLeftPart(UriPartial.Authority));
        using var request = Request(url, body, call);
        GatewayTracing.Inject(forward, request.Headers);
        try
        {
            return await SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GraphFailure(500, $"step '{step.Key}' of node '{node.Name}': POST {url} failed: {e.Message}");
        }
    }

    private async Task<StepResult> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await backend.Invoker.SendAsync(request, cancellationToken);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new StepResult((int)response.StatusCode, bytes);
    }

    /// <summary>KServe's step request: always POST, the propagated headers, <c>Content-Type: application/json</c> unless propagated.</summary>
    private static HttpRequestMessage Request(Uri url, byte[] body, GraphCall call)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        foreach (var (name, values) in call.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Content.Headers.ContentType ??= new MediaTypeHeaderValue("application/json");
        return request;
    }

    /// <summary>The answer a direct client would get for a gateway failure, as the step's response.</summary>
    private static StepResult Error(GatewayError error, string message) =>
        new(GatewayErrors.StatusOf(error), GraphResponses.Json(w => w.WriteString("error", message)));
}
