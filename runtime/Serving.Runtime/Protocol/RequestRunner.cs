using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Serving.Runtime.Models;
using Serving.Runtime.Observability;
using Serving.Telemetry.Tracing;

namespace Serving.Runtime.Protocol;

/// <summary>
/// Wraps every inference endpoint: turns failures into <c>{"error": ...}</c> with the mapped status, and records
/// request count and latency by model, protocol and status.
/// </summary>
internal sealed partial class RequestRunner(ModelRegistry registry, RuntimeMetrics metrics, ILogger<RequestRunner> logger)
{
    public const int ClientClosedRequest = 499;

    public async Task RunAsync(HttpContext context, string protocol, Func<HttpContext, Task> handler)
    {
        long start = Stopwatch.GetTimestamp();
        using var span = TraceContext.StartServer(RuntimeTracing.Source, "runtime.request", context.Request);
        span?.SetTag("serving.protocol", protocol);
        span?.SetTag("url.path", context.Request.Path.Value);
        int status;
        try
        {
            await handler(context);
            status = context.Response.StatusCode;
        }
        catch (InferenceException e)
        {
            status = ErrorStatus.ToStatusCode(e.Kind);
            if (status >= 500)
            {
                LogFailed(logger, e, context.Request.Path, status);
            }

            await TryWriteErrorAsync(context, status, e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            status = ClientClosedRequest;
            LogClientGone(logger, context.Request.Path);
        }
        catch (BadHttpRequestException e)
        {
            status = e.StatusCode;
            await TryWriteErrorAsync(context, status, e.Message);
        }
        catch (Exception e)
        {
            status = StatusCodes.Status500InternalServerError;
            LogUnexpected(logger, e, context.Request.Path);
            await TryWriteErrorAsync(context, status, $"{e.GetType().Name} : {e.Message}");
        }

        // Only known names become label values, so that random paths cannot grow the series without bound.
        string model = context.Request.RouteValues["model"] as string ?? "";
        string label = registry.Names.Contains(model) ? model : "";
        string code = status.ToString(CultureInfo.InvariantCulture);
        span?.SetTag("serving.model", label);
        span?.SetTag("http.response.status_code", status);
        metrics.Requests.WithLabels(label, protocol, code).Inc();
        metrics.RequestDuration.WithLabels(label, protocol, code).Observe(Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static async Task TryWriteErrorAsync(HttpContext context, int status, string message)
    {
        if (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            await ErrorStatus.WriteAsync(context.Response, status, message);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Request {Path} failed with {Status}")]
    private static partial void LogFailed(ILogger logger, Exception exception, PathString path, int status);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Client went away during {Path}")]
    private static partial void LogClientGone(ILogger logger, PathString path);

    [LoggerMessage(EventId = 302, Level = LogLevel.Error, Message = "Unexpected failure in {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, PathString path);
}
