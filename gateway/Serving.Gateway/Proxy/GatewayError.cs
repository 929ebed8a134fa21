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

    /// <summary>The target asks for credentials and the request's are missing or not valid.</summary>
    Unauthenticated,

    /// <summary>The request's credentials are valid but not enough for the target (a key it does not list, a claim it requires).</summary>
    Forbidden,

    /// <summary>The target asks for credentials and they cannot be checked now (its keys or JWKS cannot be loaded).</summary>
    AuthUnavailable,
}

public sealed class GatewayException(GatewayError error, string message) : Exception(message)
{
    public GatewayError Error { get; } = error;
}
