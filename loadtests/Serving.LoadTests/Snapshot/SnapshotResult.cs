using Serving.LoadTests.Gateway;

namespace Serving.LoadTests.Snapshot;

/// <summary>
/// The routing snapshot with <see cref="Services"/> InferenceServices: rebuild times (ms) for a full
/// <c>Replace</c> and a one-service <c>Set</c>, bytes allocated by each, and the host lookup cost (ns).
/// </summary>
internal sealed record SnapshotResult(
    int Services,
    int Revisions,
    int Hosts,
    double FirstReplaceMs,
    Spread ReplaceMs,
    double ReplaceAllocatedBytes,
    Spread SetMs,
    double SetAllocatedBytes,
    Spread LookupNs,
    long LookupAllocatedBytes,
    double LookupHitRate,
    long LookupsPerRepetition,
    double OtherCores);
