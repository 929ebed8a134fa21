namespace Serving.Gateway.Proxy;

/// <summary>Expected failures of the request path; <see cref="GatewayErrors"/> maps each to its status in one place.</summary>
public enum GatewayError
{
    None,
    UnknownTarget,
    NoTraffic,
    QueueFull,
    ActivationTimeout,
    RevisionGone,
    BackendUnreachable,
    BackendTimeout,
    BackendFailed,
    ClientGone,

    /// <summary>The request body is larger than <c>--max-request-bytes</c>, declared or streamed.</summary>
    RequestTooLarge,
}

public sealed class GatewayException(GatewayError error, string message) : Exception(message)
{
    public GatewayError Error { get; } = error;
}
