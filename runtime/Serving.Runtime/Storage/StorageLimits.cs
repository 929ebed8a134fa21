namespace Serving.Runtime.Storage;

/// <summary>Bounds on one download; each is checked as data arrives, not only from what a server or archive claims.</summary>
internal sealed record StorageLimits
{
    /// <summary>Bytes written for the download, and again for what an archive unpacks to.</summary>
    public long MaxBytes { get; init; } = 100L * 1024 * 1024 * 1024;

    /// <summary>Files (and folders) written for the download, and again for what an archive unpacks to.</summary>
    public int MaxFiles { get; init; } = 100_000;

    /// <summary>The whole download, unpacking included.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a connection may take to open, and how long a read may wait for data.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
