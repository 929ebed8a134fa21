using System.Collections.Frozen;
using System.Globalization;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Defaulting;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;

namespace Serving.Gateway.Graph;

/// <summary>
/// The InferenceGraphs the gateway serves, fed like <see cref="ServiceCatalog"/> (local folder now, Kubernetes later).
/// <see cref="Set"/> defaults, validates and compiles a graph and swaps in a new snapshot; a graph that fails keeps its
/// host and answers 503 with the reason, so a typo never turns into a silent 404. Status is KServe's shape (a Ready
/// condition and the url) and is computed when read, because readiness also depends on the services in the
/// <see cref="ServiceCatalog"/>: Ready only while every InferenceService a step names is there.
/// </summary>
public sealed class GraphCatalog(ServiceCatalog services, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ServiceKey, (GraphEntry Entry, long? Generation)> _graphs = [];
    private readonly Dictionary<ServiceKey, (string Status, string Reason, DateTimeOffset Since)> _transitions = [];
    private GraphTable _table = GraphTable.Empty;

    public const string ReadyCondition = "Ready";

    internal GraphTable Current => Volatile.Read(ref _table);

    /// <summary>Adds or replaces a graph and returns its status (not Ready with the reasons when it is invalid).</summary>
    public InferenceGraphStatus Set(InferenceGraph graph)
    {
        var defaulted = InferenceGraphDefaulter.Default(graph);
        var key = new ServiceKey(defaulted.Metadata.Namespace!, defaulted.Metadata.Name ?? "");
        var (compiled, errors) = GraphCompiler.Compile(defaulted);
        var entry = new GraphEntry(key, compiled, errors.Count > 0 ? string.Join("; ", errors) : null);
        lock (_lock)
        {
            _graphs[key] = (entry, defaulted.Metadata.Generation);
            Rebuild();
            return StatusLocked(key);
        }
    }

    public bool Remove(string @namespace, string name)
    {
        lock (_lock)
        {
            var key = new ServiceKey(@namespace, name);
            if (!_graphs.Remove(key))
            {
                return false;
            }

            _transitions.Remove(key);
            Rebuild();
            return true;
        }
    }

    /// <summary>The status of one graph, or null when there is no such graph.</summary>
    public InferenceGraphStatus? StatusOf(string @namespace, string name)
    {
        lock (_lock)
        {
            var key = new ServiceKey(@namespace, name);
            return _graphs.ContainsKey(key) ? StatusLocked(key) : null;
        }
    }

    /// <summary>Every graph with its status, by namespace then name (for the admin <c>/status</c> endpoint).</summary>
    public IReadOnlyList<(string Namespace, string Name, InferenceGraphStatus Status)> Statuses
    {
        get
        {
            lock (_lock)
            {
                return [.. _graphs.Keys
                    .OrderBy(k => k.Namespace, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal)
                    .Select(k => (k.Namespace, k.Name, StatusLocked(k)))];
            }
        }
    }

    private InferenceGraphStatus StatusLocked(ServiceKey key)
    {
        var (entry, generation) = _graphs[key];
        var (ready, reason, message) = Readiness(entry);
        string status = ready ? ConditionStatus.True : ConditionStatus.False;
        var now = time.GetUtcNow();
        if (!_transitions.TryGetValue(key, out var last) || last.Status != status || last.Reason != reason)
        {
            last = (status, reason, now);
            _transitions[key] = last;
        }

        return new InferenceGraphStatus
        {
            ObservedGeneration = generation,
            Url = ready ? $"http://{HostNames.Service(key, services.Domain)}" : null,
            Conditions =
            [
                new Condition
                {
                    Type = ReadyCondition,
                    Status = status,
                    Reason = ready ? null : reason,
                    Message = ready ? null : message,
                    LastTransitionTime = last.Since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                },
            ],
        };
    }

    private (bool Ready, string Reason, string Message) Readiness(GraphEntry entry)
    {
        if (entry.Graph is not { } graph)
        {
            return (false, "InvalidGraph", entry.Problem!);
        }

        var table = services.Current;
        if (table.TryGetService(entry.Key, out _))
        {
            return (false, "HostConflict",
                $"InferenceService {entry.Key} has the same name and namespace and takes the host {HostNames.Service(entry.Key, services.Domain)} and the path /serving/{entry.Key.Namespace}/{entry.Key.Name}/ (KServe refuses the second of the two)");
        }

        var missing = graph.ServiceSteps.Where(s => !table.TryGetService(s.Service, out _))
            .Select(s => $"InferenceService {s.Service} (step '{s.Step.Key}' of node '{s.Node}')")
            .ToList();
        return missing.Count > 0
            ? (false, "ServiceNotFound", $"{string.Join(", ", missing)} not found")
            : (true, "", "");
    }

    private void Rebuild()
    {
        var hosts = new Dictionary<string, GraphEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var (entry, _) in _graphs.Values)
        {
            hosts[HostNames.Service(entry.Key, services.Domain)] = entry;
        }

        Volatile.Write(ref _table, new GraphTable(
            hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase),
            _graphs.ToFrozenDictionary(g => g.Key, g => g.Value.Entry)));
    }
}
