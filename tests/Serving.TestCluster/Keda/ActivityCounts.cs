using System.Collections.Concurrent;

namespace Serving.TestCluster.Keda;

/// <summary>
/// What the stand-in did per ScaledObject (<c>namespace/name</c>), counted for tests that must wait on it rather than on
/// a time: streams opened, scale-loop polls finished.
/// </summary>
internal sealed class ActivityCounts
{
    private readonly ConcurrentDictionary<string, int> _streamsOpened = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _polls = new(StringComparer.Ordinal);

    public int StreamsOpened(string scaledObject) => _streamsOpened.GetValueOrDefault(scaledObject);

    public int Polls(string scaledObject) => _polls.GetValueOrDefault(scaledObject);

    public void StreamOpened(string scaledObject) => _streamsOpened.AddOrUpdate(scaledObject, 1, (_, n) => n + 1);

    public void Polled(string scaledObject) => _polls.AddOrUpdate(scaledObject, 1, (_, n) => n + 1);
}
