using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Defaulting;
using Serving.Gateway.Auth;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;
using Serving.Gateway.Sources;

namespace Serving.Gateway.Graph;

/// <summary>
/// The InferenceGraphs the gateway serves, fed by its route source (a local folder, a Kubernetes watch). A graph is
/// defaulted, validated and compiled once per change; whether it is Ready is decided each time graphs or services
/// change, against the services in the <see cref="ServiceCatalog"/>: Ready only while every InferenceService a step names
/// exists and can serve. The same decision answers requests and status: a graph that is not Ready answers every request
/// with 503 and its reason, and a graph that fails validation keeps its host (a typo never turns into a silent 404).
/// </summary>
public sealed class GraphCatalog
{
    public const string ReadyCondition = "Ready";

    private readonly Lock _lock = new();
    private readonly ServiceCatalog _services;
    private readonly TimeProvider _time;
    private readonly Dictionary<ServiceKey, Declared> _graphs = [];
    private readonly Dictionary<ServiceKey, (string Status, string? Reason, DateTimeOffset Since)> _transitions = [];
    private GraphTable _table = GraphTable.Empty;

    public GraphCatalog(ServiceCatalog services, TimeProvider time)
    {
        _services = services;
        _time = time;
        ChangeToken.OnChange(() => services.ChangeToken, Rebuild);
    }

    internal GraphTable Current => Volatile.Read(ref _table);

    /// <summary>Adds or replaces a graph and returns its status (not Ready with the reasons when it is invalid).</summary>
    public InferenceGraphStatus Set(InferenceGraph graph)
    {
        var declared = Compile(graph);
        lock (_lock)
        {
            _graphs[declared.Entry.Key] = declared;
            RebuildLocked();
            return StatusLocked(declared.Entry.Key);
        }
    }

    /// <summary>Replaces every graph at once; unchanged graphs are not compiled again.</summary>
    public void Replace(IEnumerable<InferenceGraph> graphs)
    {
        lock (_lock)
        {
            var next = new Dictionary<ServiceKey, Declared>();
            foreach (var graph in graphs)
            {
                string json = JsonSerializer.Serialize(graph, KubeJson.Options);
                var key = KeyOf(graph);
                next[key] = _graphs.TryGetValue(key, out var known) && known.Json == json ? known : Compile(graph);
            }

            foreach (var gone in _graphs.Keys.Where(k => !next.ContainsKey(k)).ToList())
            {
                _transitions.Remove(gone);
            }

            _graphs.Clear();
            foreach (var (key, declared) in next)
            {
                _graphs[key] = declared;
            }

            RebuildLocked();
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
            RebuildLocked();
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

    private static ServiceKey KeyOf(InferenceGraph graph) =>
        new(graph.Metadata.NamespaceOrDefault(), graph.Metadata.Name ?? "");

    private static Declared Compile(InferenceGraph graph)
    {
        var defaulted = InferenceGraphDefaulter.Default(graph);
        var key = KeyOf(defaulted);
        var (compiled, errors) = GraphCompiler.Compile(defaulted);
        var problem = errors.Count > 0 ? new ServiceProblem("InvalidGraph", string.Join("; ", errors)) : null;
        AuthPolicy? auth = null;
        try
        {
            auth = AuthAnnotations.Read(defaulted.Metadata.Annotations);
        }
        catch (AuthPolicyException e)
        {
            (compiled, problem) = (null, new ServiceProblem(ServiceRoutes.InvalidAuth, e.Message)); // refused, never served open
        }

        var entry = new GraphEntry(key, compiled, problem) { Auth = auth };
        return new Declared(entry, defaulted.Metadata.Generation, JsonSerializer.Serialize(graph, KubeJson.Options));
    }

    private void Rebuild()
    {
        lock (_lock)
        {
            RebuildLocked();
        }
    }

    private void RebuildLocked()
    {
        var table = _services.Current;
        var hosts = new Dictionary<string, GraphEntry>(StringComparer.OrdinalIgnoreCase);
        var entries = new Dictionary<ServiceKey, GraphEntry>();
        foreach (var (key, declared) in _graphs)
        {
            var entry = declared.Entry with { Problem = Readiness(declared.Entry, table) };
            entries[key] = entry;
            hosts[HostNames.Service(key, _services.Domain)] = entry;
        }

        foreach (var (key, entry) in entries)
        {
            foreach (string host in HostNames.ClusterLocal(key))
            {
                hosts.TryAdd(host, entry);
            }
        }

        Volatile.Write(ref _table, new GraphTable(hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), entries.ToFrozenDictionary()));
    }

    /// <summary>Why the graph cannot serve now, or null when it can.</summary>
    private ServiceProblem? Readiness(GraphEntry entry, RoutingTable table)
    {
        if (entry.Graph is not { } graph)
        {
            return entry.Problem;
        }

        if (table.TryGetService(entry.Key, out _))
        {
            return new ServiceProblem("HostConflict",
                $"InferenceService {entry.Key} has the same name and namespace and takes the host {HostNames.Service(entry.Key, _services.Domain)} and the path /serving/{entry.Key.Namespace}/{entry.Key.Name}/ (KServe refuses the second of the two)");
        }

        var missing = new List<string>();
        var unservable = new List<string>();
        foreach (var (service, node, step) in graph.ServiceSteps)
        {
            string where = $"InferenceService {service} (step '{step.Key}' of node '{node}')";
            if (!table.TryGetService(service, out var found))
            {
                missing.Add(where);
            }
            else if (!found.CanServe)
            {
                unservable.Add($"{where} cannot serve: {found.Problem?.Message ?? "it has no predictor to route to"}");
            }
        }

        return missing.Count > 0 ? new ServiceProblem("ServiceNotFound", $"{string.Join(", ", missing.Distinct())} not found")
            : unservable.Count > 0 ? new ServiceProblem("ServiceNotReady", string.Join("; ", unservable.Distinct()))
            : null;
    }

    private InferenceGraphStatus StatusLocked(ServiceKey key)
    {
        var entry = Current.TryGet(key, out var current) ? current : _graphs[key].Entry;
        var problem = entry.Problem;
        string status = problem is null ? ConditionStatus.True : ConditionStatus.False;
        var now = _time.GetUtcNow();
        if (!_transitions.TryGetValue(key, out var last) || last.Status != status || last.Reason != problem?.Reason)
        {
            last = (status, problem?.Reason, now);
            _transitions[key] = last;
        }

        return new InferenceGraphStatus
        {
            ObservedGeneration = _graphs[key].Generation,
            Url = problem is null ? $"http://{HostNames.Service(key, _services.Domain)}" : null,
            Conditions =
            [
                new Condition
                {
                    Type = ReadyCondition,
                    Status = status,
                    Reason = problem?.Reason,
                    Message = problem?.Message,
                    LastTransitionTime = ObjectMeta.Timestamp(last.Since),
                },
            ],
        };
    }

    /// <summary>A graph as declared: compiled once, with what is needed to tell whether it changed.</summary>
    private sealed record Declared(GraphEntry Entry, long? Generation, string Json);
}
