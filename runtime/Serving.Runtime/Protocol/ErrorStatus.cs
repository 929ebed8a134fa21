using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serving.Runtime.Protocol;

/// <summary>The one place where failures become HTTP status codes (KServe's mapping).</summary>
public static class ErrorStatus
{
    public static int ToStatusCode(ErrorKind kind) => kind switch
    {
        ErrorKind.BadInput => StatusCodes.Status400BadRequest,
        ErrorKind.ModelNotFound => StatusCodes.Status404NotFound,
        ErrorKind.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.NotImplemented => StatusCodes.Status501NotImplemented,
        ErrorKind.ModelNotReady or ErrorKind.ServerNotReady => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static async Task WriteAsync(HttpResponse response, int statusCode, string message)
    {
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.BodyWriter, Json.JsonOptions.Writer);
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
        await writer.FlushAsync();
    }
}
