using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Serving.Gateway.Proxy;

/// <summary>The one place where gateway failures become status codes and <c>{"error": ...}</c> bodies.</summary>
public static class GatewayErrors
{
    public const int ClientClosedRequest = 499;

    public static int StatusOf(GatewayError error) => error switch
    {
        GatewayError.UnknownTarget => StatusCodes.Status404NotFound,
        GatewayError.NoTraffic or GatewayError.QueueFull or GatewayError.RevisionGone => StatusCodes.Status503ServiceUnavailable,
        GatewayError.ActivationTimeout or GatewayError.BackendTimeout => StatusCodes.Status504GatewayTimeout,
        GatewayError.BackendUnreachable or GatewayError.BackendFailed => StatusCodes.Status502BadGateway,
        GatewayError.ClientGone => ClientClosedRequest,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>YARP's forwarding outcome as one of ours.</summary>
    public static GatewayError FromForwarder(ForwarderError error) => error switch
    {
        ForwarderError.None => GatewayError.None,
        ForwarderError.Request => GatewayError.BackendUnreachable,
        ForwarderError.RequestTimedOut => GatewayError.BackendTimeout,
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient => GatewayError.ClientGone,
        _ => GatewayError.BackendFailed,
    };

    /// <summary>
    /// Writes the error if the response has not started; returns the status the request ends with. <paramref name="reason"/>
    /// (a status condition's reason, such as <c>NoSupportingRuntime</c>) is added as <c>"reason"</c> when given.
    /// </summary>
    public static async ValueTask<int> WriteAsync(HttpContext context, GatewayError error, string message, string? reason = null)
    {
        int status = StatusOf(error);
        var response = context.Response;
        if (error == GatewayError.ClientGone)
        {
            return ClientClosedRequest;
        }

        if (response.HasStarted)
        {
            return status; // too late to say so: the response was aborted (which also fires RequestAborted), and counts as the failure it was
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return ClientClosedRequest;
        }

        response.Clear();
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = "1";
        }

        await using (var writer = new Utf8JsonWriter(response.BodyWriter, JsonOptions.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            if (reason is not null)
            {
                writer.WriteString("reason", reason);
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync();
        return status;
    }
}
