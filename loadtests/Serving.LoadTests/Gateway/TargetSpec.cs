namespace Serving.LoadTests.Gateway;

/// <summary>How to start a target; a phase starts a fresh one in every round and stops it after its cells.</summary>
internal sealed record TargetSpec(string Name, TargetKind Kind, Func<CancellationToken, Task<Target>> StartAsync);
