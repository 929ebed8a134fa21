using System.Net;
using System.Text;
using Serving.LoadTests.Scenarios.Platform;

namespace Serving.LoadTests.Scenarios.Load;

/// <summary>The requests scenarios send: one iris-shaped V2 row (iris and the busy model take the same input), and taggers for answers.</summary>
internal static class InferenceRequests
{
    public static readonly byte[] V2Body = Encoding.UTF8.GetBytes(
        """{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4]}]}""");

    public static LoadTarget V2(Uri gateway, Manifest service, Func<HttpResponseMessage, byte[], short>? tagger = null) =>
        new(new Uri(gateway, $"/v2/models/{service.Name}/infer"), service.Host, V2Body, tagger);

    /// <summary>The <c>model_version</c> a V2 answer names (0 when none), so a canary's split can be counted.</summary>
    public static short ModelVersion(HttpResponseMessage response, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body).AsSpan();
        int at = text.IndexOf("\"model_version\":\"", StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        var rest = text[(at + 17)..];
        int end = rest.IndexOf('"');
        return end > 0 && short.TryParse(rest[..end], out short version) ? version : (short)0;
    }

    /// <summary>1 for a 503 that carries Retry-After (the gateway shedding load as it should), else 0.</summary>
    public static short RetryAfter(HttpResponseMessage response, byte[] body) =>
        response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null ? (short)1 : (short)0;
}
