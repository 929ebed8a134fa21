using System.Buffers;

namespace Serving.Runtime.Storage;

/// <summary>
/// A folder that a download (or an archive's unpacking) fills. Every file goes through here, so that no path leaves the
/// folder and the limits hold on the bytes actually written. Safe for concurrent writers.
/// </summary>
internal sealed class DownloadFolder
{
    private readonly StorageLimits _limits;
    private readonly string _subject;
    private long _bytes;
    private int _files;

    /// <param name="subject">What the limits are about in messages: "the download", "archive 'model.tar.gz'".</param>
    public DownloadFolder(string root, StorageLimits limits, string subject)
    {
        Root = Path.GetFullPath(root);
        _limits = limits;
        _subject = subject;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public long Bytes => Interlocked.Read(ref _bytes);

    public int Files => Volatile.Read(ref _files);

    /// <summary>
    /// The full path of <paramref name="relativePath"/> ('/'-separated) inside the folder. Absolute paths and any <c>..</c>
    /// are refused, even one that would stay inside: a download has no reason to write one.
    /// </summary>
    /// <param name="what">What the path names in messages: "archive entry", "object key".</param>
    public string PathFor(string relativePath, string what)
    {
        string[] parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        if (relativePath.StartsWith('/') || parts.Contains("..") || relativePath.Contains('\0', StringComparison.Ordinal))
        {
            throw new StorageException(StorageFailure.UnsafePath, $"{what} '{relativePath}' would be written outside the destination (an absolute path or '..')");
        }

        if (parts.Length == 0)
        {
            throw new StorageException(StorageFailure.UnsafePath, $"{what} '{relativePath}' names no file");
        }

        string full = Path.GetFullPath(Path.Combine(Root, string.Join('/', parts)));
        return full.StartsWith(Root + "/", StringComparison.Ordinal)
            ? full
            : throw new StorageException(StorageFailure.UnsafePath, $"{what} '{relativePath}' would be written outside the destination");
    }

    public void CreateFolder(string relativePath, string what)
    {
        string path = PathFor(relativePath, what);
        CountFile();
        Directory.CreateDirectory(path);
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="relativePath"/>, replacing a file of that name.</summary>
    public async Task WriteAsync(string relativePath, string what, Stream content, CancellationToken cancellationToken)
    {
        string path = PathFor(relativePath, what);
        CountFile();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                stall.CancelAfter(_limits.StallTimeout);
                int read;
                try
                {
                    read = await content.ReadAsync(buffer, stall.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new StorageException(StorageFailure.TimedOut, $"no data arrived for {_limits.StallTimeout.TotalSeconds:0} s while reading {what} '{relativePath}'");
                }

                if (read == 0)
                {
                    return;
                }

                if (Interlocked.Add(ref _bytes, read) > _limits.MaxBytes)
                {
                    throw new StorageException(StorageFailure.TooLarge, $"{_subject} is larger than the limit of {_limits.MaxBytes} bytes (--max-bytes)");
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Fails before anything is written when a listing already shows the download is over the limits.</summary>
    public void CheckPlanned(long files, long bytes)
    {
        if (files > _limits.MaxFiles)
        {
            throw new StorageException(StorageFailure.TooLarge, $"{_subject} has {files} files, more than the limit of {_limits.MaxFiles} (--max-files)");
        }

        if (bytes > _limits.MaxBytes)
        {
            throw new StorageException(StorageFailure.TooLarge, $"{_subject} is {bytes} bytes, larger than the limit of {_limits.MaxBytes} bytes (--max-bytes)");
        }
    }

    private void CountFile()
    {
        if (Interlocked.Increment(ref _files) > _limits.MaxFiles)
        {
            throw new StorageException(StorageFailure.TooLarge, $"{_subject} has more than the limit of {_limits.MaxFiles} files (--max-files)");
        }
    }
}
