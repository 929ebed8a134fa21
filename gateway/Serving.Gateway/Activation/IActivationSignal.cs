using Serving.Gateway.Revisions;

namespace Serving.Gateway.Activation;

/// <summary>
/// Told the moment a request has to wait for a revision (no ready replica, or all at their limit), so that
/// the autoscaler can scale it up at once. Called on the request path: implementations must not block.
/// </summary>
public interface IActivationSignal
{
    void Activate(RevisionKey revision);
}

/// <summary>For hosts with nothing to tell (tests, a fixed set of replicas).</summary>
public sealed class NoActivationSignal : IActivationSignal
{
    public void Activate(RevisionKey revision)
    {
    }
}
