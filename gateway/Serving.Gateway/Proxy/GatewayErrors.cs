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
        GatewayError.NoTraffic or GatewayError.QueueFull or GatewayError.RevisionGone or GatewayError.AuthUnavailable => StatusCodes.Status503ServiceUnavailable,
        GatewayError.Unauthenticated => StatusCodes.Status401Unauthorized,
        GatewayError.Forbidden => StatusCodes.Status403Forbidden,
        GatewayError.ActivationTimeout or GatewayError.BackendTimeout => StatusCodes.Status504GatewayTimeout,
        GatewayError.BackendUnreachable or GatewayError.BackendFailed => StatusCodes.Status502BadGateway,
        GatewayError.ClientGone => ClientClosedRequest,
        GatewayError.RequestTooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>What a client is told about a replica's failure: never the replica's address or bytes (those are logged).</summary>
    public static string BackendMessage(GatewayError error, string? reason) => error switch
    {
        GatewayError.BackendTimeout => "the replica did not answer in time",
        GatewayError.BackendUnreachable => "the replica could not be reached",
        _ => $"the replica failed: {reason ?? error.ToString()}",
    };

    /// <summary>
    /// YARP's forwarding outcome as one of ours, with the exception it reported: a body the client was still sending
    /// that went over Kestrel's limit is the client's 413, not a replica failure nor a client gone.
    /// </summary>
    public static GatewayError FromForwarder(ForwarderError error, Exception? exception) =>
        error is ForwarderError.RequestBodyClient && IsTooLarge(exception) ? GatewayError.RequestTooLarge : FromForwarder(error);

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

    /// <summary>Kestrel's 413 for a body over its limit, as YARP reports it (wrapped in an <see cref="AggregateException"/>).</summary>
    private static bool IsTooLarge(Exception? exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsTooLarge),
        { InnerException: { } inner } => IsTooLarge(inner),
        _ => false,
    };

    /// <summary>
    /// Writes the error if the response has not started; returns the status the request ends with. <paramref name="reason"/>
    /// (a status condition's reason, such as <c>NoSupportingRuntime</c>) is added as <c>"reason"</c> when given;
    /// <paramref name="authenticate"/> is sent as <c>WWW-Authenticate</c>.
    /// </summary>
    public static async ValueTask<int> WriteAsync(HttpContext context, GatewayError error, string message, string? reason = null, string? authenticate = null)
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
        if (authenticate is not null)
        {
            response.Headers.WWWAuthenticate = authenticate;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = "1";
        }
        else if (error == GatewayError.RequestTooLarge && !HttpProtocol.IsHttp2(context.Request.Protocol) && !HttpProtocol.IsHttp3(context.Request.Protocol))
        {
            response.Headers.Connection = "close"; // the rest of the upload is not read: Kestrel closes instead of draining it
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
