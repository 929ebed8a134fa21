namespace Serving.Gateway.Proxy.Http1;

/// <summary>The replica closed a connection before sending any byte of a response.</summary>
internal sealed class ReplicaClosedException() : IOException("the replica closed the connection before answering");

/// <summary>
/// The replica's response is not valid HTTP/1.1 (or exceeds what the gateway accepts). <see cref="Exception.Message"/>
/// is the reason the client is told; <see cref="Detail"/> (the offending bytes) goes to the log only.
/// </summary>
internal sealed class ReplicaProtocolException(string reason, string? detail = null) : Exception(reason)
{
    public string? Detail { get; } = detail;
}
