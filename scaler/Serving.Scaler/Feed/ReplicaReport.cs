namespace Serving.Scaler.Feed;

/// <summary>
/// What one gateway replica tells the scaler every ~100 ms: the load of every revision it routes, idle ones included,
/// so that the scaler also learns which revisions exist. A report replaces the replica's previous one and counts until
/// its time to live runs out, so a replica that dies stops counting by itself.
/// </summary>
/// <param name="Replica">The gateway replica, unique per process (a restarted gateway is a new replica).</param>
/// <param name="Time">When the replica sampled its counters.</param>
/// <param name="Revisions">One entry per routed revision.</param>
public sealed record ReplicaReport(string Replica, DateTimeOffset Time, IReadOnlyList<RevisionLoad> Revisions);

/// <summary>A revision's load on one gateway replica.</summary>
/// <param name="Revision">The revision.</param>
/// <param name="Concurrency">Requests in flight or held by the activator at <see cref="ReplicaReport.Time"/>.</param>
/// <param name="Arrivals">Requests admitted by this replica since it started (monotonic: rates come from differences).</param>
public readonly record struct RevisionLoad(RevisionId Revision, int Concurrency, long Arrivals);
