using Serving.Controller.Api.V1Alpha1;
using Serving.Gateway.Model;
using Serving.Gateway.Sources;

namespace Serving.Controller.Local.Backend;

/// <summary>
/// The local platform's route source: the services the backend routes and the graphs the folder declares, handed to the
/// gateway whole on every change (the gateway has applied them when a call returns).
/// </summary>
internal sealed class LocalRoutes(InMemoryRouteSource source)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ServiceKey, ServiceRoute> _services = [];
    private IReadOnlyList<InferenceGraph> _graphs = [];

    public void SetService(ServiceRoute route)
    {
        lock (_lock)
        {
            _services[route.Key] = route;
            PublishLocked();
        }
    }

    public void RemoveService(ServiceKey key)
    {
        lock (_lock)
        {
            if (_services.Remove(key))
            {
                PublishLocked();
            }
        }
    }

    public void SetGraphs(IReadOnlyList<InferenceGraph> graphs)
    {
        lock (_lock)
        {
            _graphs = graphs;
            PublishLocked();
        }
    }

    private void PublishLocked() =>
        source.Update(new RouteSnapshot([.. _services.Values.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal)], _graphs));
}
