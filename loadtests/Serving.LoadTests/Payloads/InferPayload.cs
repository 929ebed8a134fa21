using Serving.LoadTests.Wrk;

namespace Serving.LoadTests.Payloads;

/// <summary>A request body written to a file for wrk; <see cref="HeaderLength"/> is set for the binary extension.</summary>
internal sealed record InferPayload(WireFormat Format, string BodyPath, string ContentType, int? HeaderLength, long BodyBytes)
{
    public WrkRequest ToWrkRequest(string url) => new(url, BodyPath, ContentType, HeaderLength);
}
