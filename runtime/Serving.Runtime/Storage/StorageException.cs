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

    /// <summary>
    /// An exception's message with those of its causes, for one line: .NET's network errors say only "see inner
    /// exception" at the top ("The SSL connection could not be established: ... UntrustedRoot").
    /// </summary>
    public static string Reasons(Exception e)
    {
        var messages = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
        {
            string message = current.Message.Replace(", see inner exception.", "", StringComparison.Ordinal).TrimEnd('.');
            if (message.Length > 0 && !messages.Any(m => m.Contains(message, StringComparison.Ordinal)))
            {
                messages.Add(message);
            }
        }

        return string.Join(": ", messages);
    }
}
