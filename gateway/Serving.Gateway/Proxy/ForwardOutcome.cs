namespace Serving.Gateway.Proxy;

/// <summary>How a forwarded request ended: <see cref="GatewayError.None"/>, or what went wrong and why.</summary>
/// <param name="Declined">The direct path did not take the request (nothing was sent): forward it with YARP.</param>
/// <param name="NotSent">The replica refused the connection: no byte of the request left, another replica may take it.</param>
internal readonly record struct ForwardOutcome(GatewayError Error, string? Detail = null, Exception? Exception = null, bool Declined = false, bool NotSent = false)
{
    public static readonly ForwardOutcome Success = new(GatewayError.None);

    public static readonly ForwardOutcome NotTaken = new(GatewayError.None, Declined: true);
}
