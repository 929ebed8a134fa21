namespace Serving.LoadTests.Scenarios.Load;

/// <summary>
/// One request as the client saw it: when it was sent (µs since the scenario started), how long until its answer,
/// the HTTP status or a <see cref="Outcome"/> code below zero, and a scenario's tag (the model version that answered,
/// whether a 503 carried Retry-After).
/// </summary>
internal readonly record struct RequestRecord(long StartUs, int LatencyUs, short Status, short Tag)
{
    public long EndUs => StartUs + LatencyUs;

    public bool IsSuccess => Status is >= 200 and < 300;

    public bool IsClientError => Status is >= 400 and < 500;
}

/// <summary>Outcomes with no HTTP status, as negative <see cref="RequestRecord.Status"/> values.</summary>
internal static class Outcome
{
    /// <summary>The connection was refused, reset or closed before a status line came.</summary>
    public const short TransportError = -1;

    /// <summary>No answer within the client's timeout.</summary>
    public const short Timeout = -2;

    /// <summary>Not sent: the open loop already had its limit of requests in flight (the client, not the platform, was full).</summary>
    public const short NotSent = -3;

    public static string Name(short status) => status switch
    {
        TransportError => "connection error",
        Timeout => "client timeout",
        NotSent => "not sent (client full)",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
