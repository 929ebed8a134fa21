namespace Serving.Runtime.Storage;

/// <summary>Why a download failed; the command turns each into one line on stderr and an exit code.</summary>
internal enum StorageFailure
{
    /// <summary>The URI cannot be downloaded from here (unknown scheme, no bucket, no file name): nothing was tried.</summary>
    BadUri,

    /// <summary>The destination or the environment that configures the download is unusable (e.g. a headers variable that is not JSON).</summary>
    BadConfiguration,
    NotFound,
    AccessDenied,
    Unreachable,
    TimedOut,
    TooLarge,

    /// <summary>A path that would land outside the destination: an archive entry, a link or an object key.</summary>
    UnsafePath,
    Failed,
}

internal sealed class StorageException(StorageFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public StorageFailure Failure { get; } = failure;
}
