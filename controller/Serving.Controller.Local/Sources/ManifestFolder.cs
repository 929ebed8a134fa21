using Serving.Controller.Loading;

namespace Serving.Controller.Local.Sources;

/// <summary>What a folder of manifests holds now: the objects, and the files that could not be read.</summary>
/// <param name="Errors">Per file, why it failed to load; that file's last good objects stay in <see cref="Objects"/>.</param>
public sealed record ManifestSnapshot(IReadOnlyList<LoadedObject> Objects, IReadOnlyDictionary<string, IReadOnlyList<LoadError>> Errors);

/// <summary>
/// A folder of KServe YAML watched live (as <c>kubectl apply -f dir</c> once, then on every change): a file that is
/// added, changed or deleted changes what it declares; a file that stops parsing keeps its last good objects and
/// reports why, so an editing mistake never takes a running service down. Polls (modification time and size), which
/// works on every file system and editor; <see cref="Scan"/> returns null when nothing changed.
/// </summary>
public sealed class ManifestFolder(string directory)
{
    private readonly Dictionary<string, (DateTime Modified, long Length)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<LoadedObject>> _good = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<LoadError>> _errors = new(StringComparer.Ordinal);

    public string Directory { get; } = Path.GetFullPath(directory);

    public ManifestSnapshot? Scan()
    {
        var files = System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory)
                .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".yaml" or ".yml" or ".json")
                .ToDictionary(f => f, f => { var i = new FileInfo(f); return (i.LastWriteTimeUtc, i.Length); }, StringComparer.Ordinal)
            : [];
        bool changed = false;
        foreach (string gone in _seen.Keys.Where(f => !files.ContainsKey(f)).ToList())
        {
            _seen.Remove(gone);
            _good.Remove(gone);
            _errors.Remove(gone);
            changed = true;
        }

        foreach (var (file, signature) in files)
        {
            if (_seen.TryGetValue(file, out var seen) && seen == signature)
            {
                continue;
            }

            _seen[file] = signature;
            changed = true;
            var result = ManifestLoader.LoadFile(file);
            if (result.Errors.Count == 0)
            {
                _good[file] = result.Objects;
                _errors.Remove(file);
            }
            else
            {
                // A file that never loaded cleanly contributes the documents that did load.
                _good.TryAdd(file, result.Objects);
                _errors[file] = result.Errors;
            }
        }

        if (!changed)
        {
            return null;
        }

        var objects = _good.OrderBy(g => g.Key, StringComparer.Ordinal).SelectMany(g => g.Value).ToList();
        return new ManifestSnapshot(objects, new Dictionary<string, IReadOnlyList<LoadError>>(_errors, StringComparer.Ordinal));
    }
}
