using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;
using Serving.Gateway.Activation;
using Serving.Gateway.Model;
using Serving.Gateway.Observability;
using Serving.Gateway.Revisions;

namespace Serving.Gateway.Routing;

/// <summary>
/// The InferenceServices the gateway routes, fed by the controller (local or Kubernetes). Every change builds a
/// new <see cref="RoutingTable"/> and swaps it in; revision states (replicas, counters, queues) live across
/// snapshots, so in-flight and held requests are never dropped or moved by a swap.
/// </summary>
public sealed class ServiceCatalog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ServiceKey, ServiceRoute> _routes = [];
    private readonly Dictionary<RevisionKey, RevisionState> _revisions = [];
    private readonly string _domain;
    private readonly ActivatorOptions _activator;
    private readonly HeldRequestBudget _budget;
    private readonly IActivationSignal _signal;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private RoutingTable _table = RoutingTable.Empty;
    private CancellationTokenSource _changed = new();

    public ServiceCatalog(string domain, ActivatorOptions activator, IActivationSignal signal, TimeProvider time, GatewayMetrics metrics)
    {
        _domain = domain;
        _activator = activator;
        _budget = new HeldRequestBudget(activator.QueueLimitTotal);
        _signal = signal;
        _time = time;
        _metrics = metrics;
    }

    public RoutingTable Current => Volatile.Read(ref _table);

    public string Domain => _domain;

    /// <summary>Requests held by the activator across every revision.</summary>
    public int Held => _budget.Held;

    /// <summary>Fires once after the next change; take a new token after it fires.</summary>
    public IChangeToken ChangeToken => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Every revision state, for accounting and status.</summary>
    public IReadOnlyList<RevisionState> Revisions
    {
        get
        {
            lock (_lock)
            {
                return [.. _revisions.Values];
            }
        }
    }

    /// <summary>Adds or replaces one service; throws <see cref="ArgumentException"/> naming what is wrong with it.</summary>
    public void Set(ServiceRoute route)
    {
        Validate(route);
        lock (_lock)
        {
            _routes[route.Key] = route;
            Rebuild();
        }
    }

    public void Remove(ServiceKey key)
    {
        lock (_lock)
        {
            if (_routes.Remove(key))
            {
                Rebuild();
            }
        }
    }

    /// <summary>Replaces every service at once (a full resync).</summary>
    public void Replace(IEnumerable<ServiceRoute> routes)
    {
        var all = routes.ToList();
        all.ForEach(Validate);
        lock (_lock)
        {
            _routes.Clear();
            foreach (var route in all)
            {
                _routes[route.Key] = route;
            }

            Rebuild();
        }
    }

    public static void Validate(ServiceRoute route)
    {
        string what = $"InferenceService {route.Key}";
        try
        {
            route.Auth?.Validate();
        }
        catch (Auth.AuthPolicyException e)
        {
            throw new ArgumentException($"{what}: {e.Message}", e);
        }

        foreach (var (component, entry) in route.Components)
        {
            string where = $"{what} {ComponentNames.Of(component)}";
            var names = entry.Revisions.Select(r => r.Name).ToList();
            if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            {
                throw new ArgumentException($"{where}: revision names repeat ({string.Join(", ", names)})");
            }

            if (entry.Traffic.FirstOrDefault(t => !names.Contains(t.Revision)) is { } unknown)
            {
                throw new ArgumentException($"{where}: traffic names revision '{unknown.Revision}', which is not among its revisions");
            }

            if (entry.Traffic.Any(t => t.Percent is < 0 or > 100) || (entry.Traffic.Count > 0 && entry.Traffic.Sum(t => t.Percent) != 100))
            {
                throw new ArgumentException(
                    $"{where}: traffic percentages must be 0-100 and add up to 100, got {string.Join(" + ", entry.Traffic.Select(t => t.Percent))}");
            }

            if (entry.Revisions.SelectMany(r => r.Endpoints).FirstOrDefault(e => !Uri.TryCreate(e.Address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) is { } bad)
            {
                throw new ArgumentException($"{where}: endpoint address '{bad.Address}' is not an http(s) URL");
            }
        }
    }

    private void Rebuild()
    {
        var hosts = new Dictionary<string, HostRoute>(StringComparer.OrdinalIgnoreCase);
        var services = new Dictionary<ServiceKey, ServiceEntry>();
        var live = new HashSet<RevisionKey>();
        var clusterLocal = new List<(string Host, HostRoute Route)>();
        foreach (var route in _routes.Values)
        {
            var components = new Dictionary<Component, ComponentEntry>();
            var tags = new List<(Component Component, string Tag, RevisionState Revision)>();
            foreach (var (component, componentRoute) in route.Components)
            {
                var states = new Dictionary<string, RevisionState>(StringComparer.Ordinal);
                foreach (var revision in componentRoute.Revisions)
                {
                    var key = new RevisionKey(route.Namespace, route.Name, component, revision.Name);
                    if (!_revisions.TryGetValue(key, out var state))
                    {
                        state = new RevisionState(key, _activator, _budget, _signal, _time, _metrics.For(key));
                        _revisions[key] = state;
                    }

                    state.Update(revision);
                    states[revision.Name] = state;
                    live.Add(key);
                }

                int upTo = 0;
                var split = new List<(int, RevisionState)>();
                foreach (var target in componentRoute.Traffic)
                {
                    if (target.Percent > 0)
                    {
                        upTo += target.Percent;
                        split.Add((upTo, states[target.Revision]));
                    }

                    if (target.Tag is { Length: > 0 } tag)
                    {
                        tags.Add((component, tag, states[target.Revision]));
                    }
                }

                components[component] = new ComponentEntry(component, [.. split]);
            }

            var service = new ServiceEntry(
                route.Key,
                components.GetValueOrDefault(Component.Predictor),
                components.GetValueOrDefault(Component.Transformer),
                components.GetValueOrDefault(Component.Explainer))
            {
                ProtocolVersion = route.ProtocolVersion,
                Problem = route.Problem,
                Auth = route.Auth,
            };
            services[route.Key] = service;
            hosts[HostNames.Service(route.Key, _domain)] = new HostRoute(service, null, null);
            clusterLocal.AddRange(HostNames.ClusterLocal(route.Key).Select(h => (h, new HostRoute(service, null, null))));
            foreach (var (component, entry) in components)
            {
                hosts[HostNames.Component(route.Key, component, _domain)] = new HostRoute(service, entry, null);
            }

            foreach (var (component, tag, revision) in tags)
            {
                hosts[HostNames.Tag(route.Key, component, tag, _domain)] = new HostRoute(service, components[component], revision);
            }
        }

        // Added last, never replacing: a host the domain gives (a --domain such as svc.cluster.local) keeps its route.
        foreach (var (host, route) in clusterLocal)
        {
            hosts.TryAdd(host, route);
        }

        var table = new RoutingTable(hosts.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase), services.ToFrozenDictionary(), _table.Version + 1);
        Volatile.Write(ref _table, table);
        foreach (var (key, state) in _revisions.Where(r => !live.Contains(r.Key)).ToList())
        {
            _revisions.Remove(key);
            state.Retire();
        }

        var changed = _changed;
        _changed = new CancellationTokenSource();
        changed.Cancel();
    }
}
