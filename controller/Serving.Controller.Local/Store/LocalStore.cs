using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Planning;
using Serving.Gateway.Model;

namespace Serving.Controller.Local.Store;

/// <summary>A service as the local store keeps it: when it was first seen (its creationTimestamp) and the status written last.</summary>
public sealed record StoredService(string CreationTimestamp, InferenceServiceStatus? Status);

/// <summary>A revision that exists: its component, and its record (name, fingerprint, and the template its replicas run).</summary>
public sealed record StoredRevision(string Component, RevisionRecord Record);

/// <summary>
/// What the local backend keeps across restarts, as the API server keeps it for the Kubernetes backend: per
/// InferenceService its creation time and the status written last, and the revisions that exist, each with the template
/// it runs. The planner rebuilds its state from these, so a restarted platform resumes the same revisions, numbers and
/// traffic. One folder per service under <c>{root}/services/{namespace}/{name}/</c>: <c>service.json</c> and
/// <c>revisions/{revision}.json</c>, each written whole and renamed into place; other objects' creation times in
/// <c>{root}/objects.json</c>.
/// </summary>
public sealed class LocalStore
{
    private static readonly JsonSerializerOptions Json = new(KubeJson.Indented) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly Lock _lock = new();
    private readonly Dictionary<ServiceKey, StoredService> _services = [];
    private readonly Dictionary<ServiceKey, Dictionary<string, StoredRevision>> _revisions = [];
    private readonly Dictionary<string, string> _created = new(StringComparer.Ordinal);

    public LocalStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        Load();
    }

    public string Root { get; }

    public IReadOnlyList<ServiceKey> Services
    {
        get
        {
            lock (_lock)
            {
                return [.. _services.Keys];
            }
        }
    }

    public StoredService? Read(ServiceKey key)
    {
        lock (_lock)
        {
            return _services.GetValueOrDefault(key);
        }
    }

    /// <summary>The service's record, created (with <paramref name="now"/> as its creation time) when it has none.</summary>
    public StoredService Ensure(ServiceKey key, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_services.TryGetValue(key, out var stored))
            {
                stored = new StoredService(ObjectMeta.Timestamp(now), null);
                Save(key, stored);
            }

            return stored;
        }
    }

    /// <summary>The creation time of another kind of object (a graph), given the first time it is asked for.</summary>
    public string CreationOf(string kind, ServiceKey key, DateTimeOffset now)
    {
        lock (_lock)
        {
            string id = $"{kind}/{key.Namespace}/{key.Name}";
            if (!_created.TryGetValue(id, out string? created))
            {
                _created[id] = created = ObjectMeta.Timestamp(now);
                WriteAtomically(Path.Combine(Root, "objects.json"), JsonSerializer.SerializeToUtf8Bytes(_created, Json));
            }

            return created;
        }
    }

    public void WriteStatus(ServiceKey key, InferenceServiceStatus status, DateTimeOffset now)
    {
        lock (_lock)
        {
            Save(key, Ensure(key, now) with { Status = status });
        }
    }

    public IReadOnlyList<StoredRevision> Revisions(ServiceKey key)
    {
        lock (_lock)
        {
            return _revisions.TryGetValue(key, out var revisions) ? [.. revisions.Values] : [];
        }
    }

    public void WriteRevision(ServiceKey key, StoredRevision revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        lock (_lock)
        {
            if (!_revisions.TryGetValue(key, out var revisions))
            {
                _revisions[key] = revisions = new Dictionary<string, StoredRevision>(StringComparer.Ordinal);
            }

            revisions[revision.Record.Name] = revision;
            WriteAtomically(Path.Combine(Folder(key), "revisions", revision.Record.Name + ".json"), JsonSerializer.SerializeToUtf8Bytes(revision, Json));
        }
    }

    public void DeleteRevision(ServiceKey key, string name)
    {
        lock (_lock)
        {
            if (_revisions.TryGetValue(key, out var revisions) && revisions.Remove(name))
            {
                File.Delete(Path.Combine(Folder(key), "revisions", name + ".json"));
            }
        }
    }

    public void Delete(ServiceKey key)
    {
        lock (_lock)
        {
            _services.Remove(key);
            _revisions.Remove(key);
            if (Directory.Exists(Folder(key)))
            {
                Directory.Delete(Folder(key), recursive: true);
            }
        }
    }

    private string Folder(ServiceKey key) => Path.Combine(Root, "services", key.Namespace, key.Name);

    private void Save(ServiceKey key, StoredService stored)
    {
        _services[key] = stored;
        WriteAtomically(Path.Combine(Folder(key), "service.json"), JsonSerializer.SerializeToUtf8Bytes(stored, Json));
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads what an earlier run left; a file that cannot be read is skipped (its service starts over).</summary>
    private void Load()
    {
        if (ReadJson<Dictionary<string, string>>(Path.Combine(Root, "objects.json")) is { } created)
        {
            foreach (var (id, time) in created)
            {
                _created[id] = time;
            }
        }

        string services = Path.Combine(Root, "services");
        foreach (string ns in Directory.Exists(services) ? Directory.EnumerateDirectories(services) : [])
        {
            foreach (string folder in Directory.EnumerateDirectories(ns))
            {
                var key = new ServiceKey(Path.GetFileName(ns), Path.GetFileName(folder));
                if (ReadJson<StoredService>(Path.Combine(folder, "service.json")) is not { } stored)
                {
                    continue;
                }

                _services[key] = stored;
                var revisions = new Dictionary<string, StoredRevision>(StringComparer.Ordinal);
                string revisionFolder = Path.Combine(folder, "revisions");
                foreach (string file in Directory.Exists(revisionFolder) ? Directory.EnumerateFiles(revisionFolder, "*.json") : [])
                {
                    if (ReadJson<StoredRevision>(file) is { Record.Template: not null } revision)
                    {
                        revisions[revision.Record.Name] = revision;
                    }
                }

                _revisions[key] = revisions;
            }
        }
    }

    private static T? ReadJson<T>(string path)
        where T : class
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }
}
