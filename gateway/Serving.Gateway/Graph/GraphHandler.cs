using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Auth;
using Serving.Gateway.Hosting;
using Serving.Gateway.Proxy;

namespace Serving.Gateway.Graph;

/// <summary>
/// The request path for a graph target: called by the proxy only when no InferenceService matched, so direct traffic
/// pays nothing for graphs. Buffers the body (steps need the whole JSON), runs the graph, writes its answer.
/// </summary>
internal sealed partial class GraphHandler(
    GraphCatalog catalog, GraphExecutor executor, HeaderPropagation headers, AuthGate auth, GatewayOptions options, ILogger<GraphHandler> logger)
{
    public bool TryResolve(HttpContext context, out GraphEntry entry) => catalog.Current.TryResolve(context, out entry);

    public async Task InvokeAsync(HttpContext context, GraphEntry entry)
    {
        var credentials = Credentials.From(context.Request.Headers);
        if (entry.Auth is { } policy && await auth.AdmitAsync(context, policy, AuthGate.GraphKind, entry.Key) != 0)
        {
            return;
        }

        if (entry.Graph is not { } graph || entry.Problem is not null)
        {
            await GatewayErrors.WriteAsync(
                context, GatewayError.NoTraffic, $"InferenceGraph {entry.Key} is not ready: {entry.Problem?.Message}", entry.Problem?.Reason);
            return;
        }

        try
        {
            byte[]? input = await ReadBodyAsync(context.Request, options.GraphMaxBodyBytes, context.RequestAborted);
            if (input is null)
            {
                await GraphResponses.WriteFailureAsync(context, StatusCodes.Status413PayloadTooLarge, $"the request body is larger than {options.GraphMaxBodyBytes} bytes");
                return;
            }

            var call = new GraphCall(graph, headers.Select(context.Request.Headers)) { Credentials = credentials };
            var result = await executor.RunAsync(call, input, context.RequestAborted);
            if (call.ColdStart)
            {
                context.Response.Headers[ProxyHandler.ColdStartHeader] = "true";
            }

            await GraphResponses.WriteAsync(context, result);
        }
        catch (GraphFailure failure)
        {
            LogFailed(logger, entry.Key.ToString(), failure.Status, failure.Message);
            await GraphResponses.WriteFailureAsync(context, failure.Status, failure.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            LogClientGone(logger, entry.Key.ToString());
        }
    }

    /// <summary>The whole body, or null when it is over <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "InferenceGraph {Graph} failed with {Status}: {Cause}")]
    private static partial void LogFailed(ILogger logger, string graph, int status, string cause);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug, Message = "Client went away ({Graph})")]
    private static partial void LogClientGone(ILogger logger, string graph);
}
