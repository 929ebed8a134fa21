using Serving.Controller.Api;
using Serving.Controller.Loading;

namespace Serving.Controller.Local.Sources;

/// <summary>What a folder of manifests holds now: the objects, and what is wrong with which file.</summary>
/// <param name="Objects">One copy per object: a file's last good objects stay when it stops loading.</param>
/// <param name="Errors">Per file, why it failed to load.</param>
/// <param name="Conflicts">Per file, the objects it declares that another file declares too (shown on both files).</param>
public sealed record ManifestSnapshot(
    IReadOnlyList<LoadedObject> Objects,
    IReadOnlyDictionary<string, IReadOnlyList<LoadError>> Errors,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Conflicts);

/// <summary>
/// A folder of KServe YAML watched live (as <c>kubectl apply -f dir</c> once, then on every change): a file that is
/// added, changed or deleted changes what it declares; a file that stops parsing keeps its last good objects and
/// reports why, so an editing mistake never takes a running service down. An object declared in two files is a conflict
/// shown on both: the file that declared it first keeps it, the other copy is ignored. Polls (modification time and
/// size), which works on every file system and editor; <see cref="Scan"/> returns null when nothing changed.
/// <para>
/// After the first scan, a change counts once two scans in a row see it (a file is written or removed in steps: an
/// editor or <c>echo &gt;</c> truncates before it writes, some editors move the file away before they write the new
/// one). Read at once, the empty or half-written file would delete or change its services, and the next scan would
/// create them again as new services, with new revisions.
/// </para>
/// </summary>
public sealed class ManifestFolder(string directory)
{
    private readonly Dictionary<string, Signature> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Signature?> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<LoadedObject>> _good = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<LoadError>> _errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);
    private bool _scanned;

    public string Directory { get; } = Path.GetFullPath(directory);

    public ManifestSnapshot? Scan()
    {
        var files = System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateFiles(Directory)
                .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".yaml" or ".yml" or ".json")
                .ToDictionary(f => f, f => { var i = new FileInfo(f); return new Signature(i.LastWriteTimeUtc, i.Length); }, StringComparer.Ordinal)
            : [];
        bool settle = _scanned;
        _scanned = true;
        bool changed = false;
        foreach (string file in _seen.Keys.Union(files.Keys).Union(_pending.Keys).Order(StringComparer.Ordinal).ToList())
        {
            Signature? now = files.TryGetValue(file, out var signature) ? signature : null;
            Signature? applied = _seen.TryGetValue(file, out var seen) ? seen : null;
            if (now == applied)
            {
                _pending.Remove(file);
                continue;
            }

            if (settle && (!_pending.TryGetValue(file, out var before) || before != now))
            {
                _pending[file] = now; // counts once the next scan sees it too
                continue;
            }

            _pending.Remove(file);
            changed = true;
            if (now is not { } current)
            {
                _seen.Remove(file);
                _good.Remove(file);
                _errors.Remove(file);
                continue;
            }

            _seen[file] = current;
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

        return changed ? Snapshot() : null;
    }

    /// <summary>One copy of each object: its owner's (the file that declared it first, still declaring it), conflicts named.</summary>
    private ManifestSnapshot Snapshot()
    {
        var declaring = new Dictionary<string, List<LoadedObject>>(StringComparer.Ordinal);
        foreach (var (_, objects) in _good.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var loaded in objects)
            {
                string id = IdOf(loaded.Object);
                if (!declaring.TryGetValue(id, out var copies))
                {
                    declaring[id] = copies = [];
                }

                copies.Add(loaded);
            }
        }

        foreach (string gone in _owners.Keys.Where(id => !declaring.ContainsKey(id)).ToList())
        {
            _owners.Remove(gone);
        }

        var chosen = new List<LoadedObject>();
        var conflicts = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (id, copies) in declaring)
        {
            // The owner keeps it while it still declares it; a new object belongs to the first file by name.
            var owner = copies.FirstOrDefault(c => _owners.GetValueOrDefault(id) == c.Source) ?? copies[0];
            _owners[id] = owner.Source;
            chosen.Add(owner);
            foreach (var other in copies.Where(c => c.Source != owner.Source).Select(c => c.Source).Distinct(StringComparer.Ordinal))
            {
                Add(conflicts, owner.Source, $"{id} is also declared in {Path.GetFileName(other)}: this file's copy is applied, the other is ignored");
                Add(conflicts, other, $"{id} is already declared in {Path.GetFileName(owner.Source)}, which keeps it: this file's copy is ignored");
            }
        }

        return new ManifestSnapshot(
            [.. chosen.OrderBy(c => c.Source, StringComparer.Ordinal).ThenBy(c => c.Document)],
            new Dictionary<string, IReadOnlyList<LoadError>>(_errors, StringComparer.Ordinal),
            conflicts.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Value, StringComparer.Ordinal));
    }

    private static void Add(Dictionary<string, List<string>> conflicts, string file, string message)
    {
        if (!conflicts.TryGetValue(file, out var list))
        {
            conflicts[file] = list = [];
        }

        list.Add(message);
    }

    /// <summary><c>{kind} {namespace}/{name}</c> (cluster-scoped kinds without a namespace; an empty namespace is <c>default</c>).</summary>
    public static string IdOf(IKubeObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        bool clusterScoped = value.Kind == Kinds.ClusterServingRuntime;
        string ns = value.Metadata.NamespaceOrDefault();
        return clusterScoped ? $"{value.Kind} {value.Metadata.Name}" : $"{value.Kind} {ns}/{value.Metadata.Name}";
    }

    /// <summary>What a scan compares: a file's modification time and size.</summary>
    private readonly record struct Signature(DateTime Modified, long Length);
}
