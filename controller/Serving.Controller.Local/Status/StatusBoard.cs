using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Loading;

namespace Serving.Controller.Local.Status;

/// <summary>One object as <c>/status</c> lists it: what <c>kubectl get -o json</c> would show, less the spec.</summary>
public sealed record ResourceView(string ApiVersion, string Kind, string Name, string Namespace, string? CreationTimestamp, JsonNode? Status);

/// <summary>
/// The platform's status as KServe shows it: a list of objects (<c>kind</c>, <c>metadata</c>, <c>status</c>) for
/// <c>GET /status</c>, and a table like <c>kubectl get isvc</c> for <c>?format=table</c>. Files that fail to load
/// appear as objects of kind <c>ManifestFile</c> with a <c>Ready=False</c> condition that says why, and so do files
/// that declare an object another file declares too.
/// </summary>
public sealed class StatusBoard
{
    public const string ManifestFileKind = "ManifestFile";

    private volatile IReadOnlyList<ResourceView> _resources = [];
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Func<IEnumerable<ResourceView>>> _sources = new(StringComparer.Ordinal);

    /// <summary>Every object, services first, then other sources (graphs), then broken files.</summary>
    public IReadOnlyList<ResourceView> Resources
    {
        get
        {
            List<Func<IEnumerable<ResourceView>>> sources;
            lock (_lock)
            {
                sources = [.. _sources.Values];
            }

            return [.. _resources, .. sources.SelectMany(s => s())];
        }
    }

    /// <summary>Adds objects that another part owns (the gateway's graphs), read on every request.</summary>
    public void AddSource(string name, Func<IEnumerable<ResourceView>> source)
    {
        lock (_lock)
        {
            _sources[name] = source;
        }
    }

    /// <summary>
    /// Sets the objects this board owns and the files with problems: a file that failed to load (its last good objects
    /// stay), a file whose objects another file declares too (shown on both).
    /// </summary>
    internal void Publish(
        IEnumerable<ResourceView> objects, IReadOnlyDictionary<string, IReadOnlyList<LoadError>> fileErrors,
        IReadOnlyDictionary<string, IReadOnlyList<string>> conflicts, string root)
    {
        var list = objects.OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        foreach (string file in fileErrors.Keys.Concat(conflicts.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var messages = new List<string>();
            if (fileErrors.TryGetValue(file, out var errors))
            {
                messages.Add(string.Join("; ", errors.Select(e => e.ToString())) + " (the file's last good objects are still applied)");
            }

            messages.AddRange(conflicts.GetValueOrDefault(file) ?? []);
            var condition = new Condition
            {
                Type = ConditionTypes.Ready,
                Status = ConditionStatus.False,
                Reason = errors is not null ? "LoadFailed" : "Conflict",
                Message = string.Join("; ", messages),
            };
            string? modified = File.Exists(file)
                ? ObjectMeta.Timestamp(File.GetLastWriteTimeUtc(file))
                : null;
            list.Add(new ResourceView(
                "v1", ManifestFileKind, Path.GetRelativePath(root, file), "", modified,
                new JsonObject { ["conditions"] = new JsonArray(JsonSerializer.SerializeToNode(condition, KubeJson.Options)) }));
        }

        _resources = list;
    }

    /// <summary>The objects of one namespace (all when null), or the one named (<paramref name="name"/>; services before graphs).</summary>
    public IReadOnlyList<ResourceView> Select(string? @namespace, string? name = null, string? kind = null) =>
    [
        .. Resources.Where(r => (@namespace is null || r.Namespace == @namespace) && (name is null || r.Name == name) && (kind is null || r.Kind == kind)),
    ];

    public JsonArray ToJson() => ToJson(Resources);

    public static JsonArray ToJson(IEnumerable<ResourceView> resources) =>
        new([
            .. resources.Select(ToJson),
        ]);

    public static JsonObject ToJson(ResourceView r) => new()
            {
                ["apiVersion"] = r.ApiVersion,
                ["kind"] = r.Kind,
                ["metadata"] = new JsonObject
                {
                    ["name"] = r.Name,
                    ["namespace"] = r.Namespace.Length == 0 ? null : r.Namespace,
                    ["creationTimestamp"] = r.CreationTimestamp,
                },
                ["status"] = r.Status?.DeepClone(),
            };

    /// <summary><c>kubectl get isvc</c>'s columns (kserve-api.md §1.9) plus replicas; other kinds show name, ready and reason.</summary>
    public string ToTable(DateTimeOffset now) => ToTable(Resources, now);

    public static string ToTable(IEnumerable<ResourceView> resources, DateTimeOffset now)
    {
        var rows = new List<string[]> { new[] { "KIND", "NAMESPACE", "NAME", "URL", "READY", "PREV", "LATEST", "PREVROLLEDOUTREVISION", "LATESTREADYREVISION", "REPLICAS", "AGE", "REASON", "MESSAGE" } };
        foreach (var r in resources)
        {
            var status = r.Status;
            var ready = Condition(status, ConditionTypes.Ready);
            // Not ready: why. Ready but the latest spec refused: that (the last accepted spec still serves).
            var why = ready?["status"]?.GetValue<string>() != ConditionStatus.True ? ready
                : Condition(status, ConditionTypes.SpecAccepted) is { } refused && refused["status"]?.GetValue<string>() == ConditionStatus.False ? refused
                : null;
            var traffic = status?["components"]?["predictor"]?["traffic"]?.AsArray() ?? [];
            var prev = traffic.FirstOrDefault(t => t?["tag"]?.GetValue<string>() == "prev");
            var latest = traffic.FirstOrDefault(t => t?["latestRevision"]?.GetValue<bool>() == true);
            int replicas = (status?["components"]?.AsObject() ?? []).Sum(c => c.Value?[ComponentStatusSpec.ReplicasKey]?.GetValue<int>() ?? 0);
            rows.Add(
            [
                r.Kind,
                r.Namespace,
                r.Name,
                status?["url"]?.GetValue<string>() ?? "",
                ready?["status"]?.GetValue<string>() ?? "",
                prev?["percent"]?.ToString() ?? "",
                latest?["percent"]?.ToString() ?? "",
                prev?["revisionName"]?.GetValue<string>() ?? "",
                latest?["revisionName"]?.GetValue<string>() ?? "",
                r.Kind == InferenceService.KindValue ? replicas.ToString(CultureInfo.InvariantCulture) : "",
                Age(r.CreationTimestamp, now),
                why?["reason"]?.GetValue<string>() ?? "",
                why?["message"]?.GetValue<string>()?.ReplaceLineEndings(" ") ?? "",
            ]);
        }

        int[] widths = [.. Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length))];
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("   ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])));
            text.Append('\n');
        }

        return text.ToString();
    }

    private static JsonNode? Condition(JsonNode? status, string type) =>
        status?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type);

    private static string Age(string? created, DateTimeOffset now)
    {
        if (!DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return "";
        }

        var age = now - at;
        return age.TotalSeconds < 120 ? $"{(int)age.TotalSeconds}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
