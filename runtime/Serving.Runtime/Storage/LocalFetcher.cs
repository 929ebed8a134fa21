namespace Serving.Runtime.Storage;

/// <summary><c>file://</c> or a plain path: a file is copied under its own name, a folder's content with its layout.</summary>
internal static class LocalFetcher
{
    // Links to folders are followed; this bounds a link loop.
    private const int MaxDepth = 64;

    public static async Task FetchAsync(LocalStorageUri uri, DownloadFolder into, CancellationToken cancellationToken)
    {
        if (File.Exists(uri.Path))
        {
            await CopyFileAsync(uri.Path, Path.GetFileName(uri.Path), into, cancellationToken);
            return;
        }

        if (!Directory.Exists(uri.Path))
        {
            throw new StorageException(StorageFailure.NotFound, $"no such file or folder '{uri.Path}'");
        }

        await CopyFolderAsync(uri.Path, "", 0, into, cancellationToken);
        if (into.Files == 0)
        {
            throw new StorageException(StorageFailure.NotFound, $"folder '{uri.Path}' holds no files");
        }
    }

    private static async Task CopyFolderAsync(string folder, string relative, int depth, DownloadFolder into, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth)
        {
            throw new StorageException(StorageFailure.Failed, $"folders nested deeper than {MaxDepth} under '{folder}' (a link loop?)");
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            string name = relative + Path.GetFileName(entry);
            if (Directory.Exists(entry))
            {
                await CopyFolderAsync(entry, name + "/", depth + 1, into, cancellationToken);
            }
            else if (File.Exists(entry))
            {
                await CopyFileAsync(entry, name, into, cancellationToken);
            }
        }
    }

    private static async Task CopyFileAsync(string source, string name, DownloadFolder into, CancellationToken cancellationToken)
    {
        await using var content = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await into.WriteAsync(name, "file", content, cancellationToken);
    }
}
