using System.Net.Http.Headers;

namespace Serving.LoadTests.Scenarios.Load;

/// <summary>
/// What one request of a scenario is: a POST of <paramref name="Body"/> to <paramref name="Url"/> with
/// <paramref name="Host"/> as its Host header, and how to tag its answer (null: tag 0).
/// </summary>
internal sealed record LoadTarget(Uri Url, string? Host, byte[] Body, Func<HttpResponseMessage, byte[], short>? Tagger = null)
{
    public static readonly MediaTypeHeaderValue Json = new("application/json");
}
