using System.Threading.Channels;
using Serving.Gateway.Activation;
using Serving.Gateway.Revisions;

namespace Serving.Controller.Local.Scaling;

/// <summary>
/// The gateway's activation signal in local mode: a request that finds no ready replica is posted here without
/// blocking, and the platform's loop scales the revision up at once.
/// </summary>
public sealed class LocalActivation : IActivationSignal
{
    private readonly Channel<RevisionKey> _channel = Channel.CreateUnbounded<RevisionKey>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<RevisionKey> Reader => _channel.Reader;

    public void Activate(RevisionKey revision) => _channel.Writer.TryWrite(revision);
}
