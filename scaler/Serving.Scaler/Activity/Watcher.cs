using System.Threading.Channels;
using Serving.Scaler.Keda;

namespace Serving.Scaler.Activity;

/// <summary>
/// One open <c>StreamIsActive</c> stream: remembers what it last told KEDA and queues only what KEDA needs:
/// <c>true</c> on an inactive-to-active transition (each one costs KEDA a status read and patch), and a <c>false</c>
/// heartbeat now and then while inactive (KEDA ignores <c>false</c>).
/// </summary>
internal sealed class Watcher(ScaledObjectTarget target)
{
    private readonly Lock _lock = new();
    private readonly Channel<bool> _messages = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private bool _active;
    private DateTimeOffset _lastWrite;

    public ScaledObjectTarget Target { get; } = target;

    public ChannelReader<bool> Messages => _messages.Reader;

    /// <summary>The state when the stream opens, sent at once (nothing is replayed after a reconnect).</summary>
    public void Open(bool active, DateTimeOffset now)
    {
        lock (_lock)
        {
            (_active, _lastWrite) = (active, now);
            _messages.Writer.TryWrite(active);
        }
    }

    /// <summary>Active now: pushes <c>true</c> when it was not.</summary>
    public void Active(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_active)
            {
                (_active, _lastWrite) = (true, now);
                _messages.Writer.TryWrite(true);
            }
        }
    }

    /// <summary>Inactive now: nothing to push except a <c>false</c> heartbeat every <paramref name="heartbeat"/>.</summary>
    public void Inactive(DateTimeOffset now, TimeSpan heartbeat)
    {
        lock (_lock)
        {
            _active = false;
            if (now - _lastWrite >= heartbeat)
            {
                _lastWrite = now;
                _messages.Writer.TryWrite(false);
            }
        }
    }
}
