namespace Serving.Controller.Local.Diagnostics;

/// <summary>The timelines of the most recent replica starts, newest last; bounded so a long-lived platform keeps a few.</summary>
public sealed class StartHistory(int capacity = 64)
{
    private readonly Lock _lock = new();
    private readonly Queue<StartTimeline> _starts = new();

    public void Add(StartTimeline timeline)
    {
        lock (_lock)
        {
            _starts.Enqueue(timeline);
            if (_starts.Count > capacity)
            {
                _starts.Dequeue();
            }
        }
    }

    /// <summary>A copy, oldest first; the timelines in it may still gain steps.</summary>
    public IReadOnlyList<StartTimeline> Snapshot()
    {
        lock (_lock)
        {
            return [.. _starts];
        }
    }
}
