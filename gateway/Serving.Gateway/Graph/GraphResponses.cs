using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serving.Gateway.Proxy;

namespace Serving.Gateway.Graph;

/// <summary>
/// How a graph answers, as KServe's router (<c>graphHandler</c>): the node's body verbatim with its status, typed as
/// JSON only when it is JSON, no step headers copied back; a failure as <c>{"error": "Failed to process request",
/// "cause": ...}</c> with the failure's status.
/// </summary>
internal static class GraphResponses
{
    public const string FailedToProcess = "Failed to process request";

    public static async Task<int> WriteAsync(HttpContext context, StepResult result)
    {
        var response = context.Response;
        response.StatusCode = result.Status;
        if (JsonBytes.IsValid(result.Body))
        {
            response.ContentType = "application/json";
        }

        response.ContentLength = result.Body.Length;
        await response.Body.WriteAsync(result.Body, context.RequestAborted);
        return result.Status;
    }

    public static Task<int> WriteFailureAsync(HttpContext context, int status, string cause) =>
        WriteAsync(context, new StepResult(status, Json(w =>
        {
            w.WriteString("error", FailedToProcess);
            w.WriteString("cause", cause);
        })));

    /// <summary>A small JSON object written with the gateway's relaxed escaping (messages read well).</summary>
    public static byte[] Json(Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions.Writer))
        {
            writer.WriteStartObject();
            fields(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
