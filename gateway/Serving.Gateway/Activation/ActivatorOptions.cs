namespace Serving.Gateway.Activation;

public sealed record ActivatorOptions
{
    /// <summary>Requests one revision may hold while it has no free replica.</summary>
    public int QueueLimitPerRevision { get; init; } = 1000;

    /// <summary>Requests all revisions together may hold.</summary>
    public int QueueLimitTotal { get; init; } = 10_000;

    /// <summary>How long a held request waits for a replica before it gets 504.</summary>
    public TimeSpan ActivationTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
