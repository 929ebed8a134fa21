using Serving.Gateway.Revisions;

namespace Serving.Gateway.Activation;

/// <summary>Tells several listeners (the local backend's autoscaler and the scaler feed, say); none may block.</summary>
public sealed class CompositeActivationSignal(IReadOnlyList<IActivationSignal> signals) : IActivationSignal
{
    public void Activate(RevisionKey revision)
    {
        foreach (var signal in signals)
        {
            signal.Activate(revision);
        }
    }
}
