namespace Serving.Runtime.Storage;

/// <summary>
/// Where a download is written before it is moved into its destination, so that a failed or interrupted download leaves
/// nothing half-written there. Staging folders are hidden and always on the destination's file system, so the final
/// move is a rename: inside the destination when it exists (a pod's <c>/mnt/models</c> is a mounted emptyDir that
/// cannot be replaced, and its parent is another file system), else beside it. Folders left by a killed run are
/// removed by the next run.
/// </summary>
internal sealed class Staging : IDisposable
{
    private const string Prefix = ".serving-download-";

    private readonly string _destination;
    private readonly string _home;
    private readonly string _namePrefix;
    private readonly List<string> _folders = [];

    private Staging(string destination, string home, string namePrefix)
    {
        _destination = destination;
        _home = home;
        _namePrefix = namePrefix;
        foreach (string stale in Directory.EnumerateDirectories(home, namePrefix + "*"))
        {
            Directory.Delete(stale, recursive: true);
        }
    }

    public static Staging For(string destination)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        if (File.Exists(full))
        {
            throw new StorageException(StorageFailure.BadConfiguration, $"destination '{destination}' is a file, not a folder");
        }

        if (Directory.Exists(full))
        {
            return new Staging(full, full, Prefix);
        }

        string parent = Path.GetDirectoryName(full) ?? throw new StorageException(StorageFailure.BadConfiguration, $"destination '{destination}' has no parent folder");
        Directory.CreateDirectory(parent);
        return new Staging(full, parent, $"{Prefix}{Path.GetFileName(full)}-");
    }

    /// <summary>A new empty staging folder, removed on dispose unless committed.</summary>
    public string NewFolder()
    {
        string folder = Path.Combine(_home, _namePrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        _folders.Add(folder);
        return folder;
    }

    /// <summary>
    /// Moves the content of <paramref name="folder"/> into the destination: one rename when the destination did not
    /// exist; otherwise entry by entry, each replacing an entry of the same name (a re-run of the init container).
    /// </summary>
    public void Commit(string folder)
    {
        if (!Directory.Exists(_destination))
        {
            Directory.Move(folder, _destination);
            _folders.Remove(folder);
            return;
        }

        foreach (string entry in Directory.EnumerateFileSystemEntries(folder))
        {
            string target = Path.Combine(_destination, Path.GetFileName(entry));
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
            else if (File.Exists(target))
            {
                File.Delete(target);
            }

            if (Directory.Exists(entry))
            {
                Directory.Move(entry, target);
            }
            else
            {
                File.Move(entry, target);
            }
        }
    }

    public void Dispose()
    {
        foreach (string folder in _folders)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException)
            {
                // Best effort: the next run removes what is left.
            }
        }
    }
}
