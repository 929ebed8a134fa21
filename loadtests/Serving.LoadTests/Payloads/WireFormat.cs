namespace Serving.LoadTests.Payloads;

/// <summary>How a V2 inference request carries its tensor.</summary>
internal enum WireFormat
{
    /// <summary>The binary tensor extension: JSON header, then raw little-endian bytes; the response is binary too.</summary>
    Binary,

    /// <summary>Plain JSON with a flat <c>data</c> array.</summary>
    Json,
}
