using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Serving.Gateway.Graph;
using Serving.Gateway.Routing;

namespace Serving.Gateway.Sources;

/// <summary>
/// Applies a route source's snapshots to the gateway: services to the <see cref="ServiceCatalog"/>, graphs to the
/// <see cref="GraphCatalog"/>, at once and on every change. A snapshot the catalog refuses (a route that names a revision
/// it does not list…) is logged and the last good routes stay.
/// </summary>
internal sealed partial class RouteSourceApplier : IDisposable
{
    private readonly IRouteSource _source;
    private readonly ServiceCatalog _services;
    private readonly GraphCatalog _graphs;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;

    public RouteSourceApplier(IRouteSource source, ServiceCatalog services, GraphCatalog graphs, ILogger<RouteSourceApplier> logger)
    {
        _source = source;
        _services = services;
        _graphs = graphs;
        _logger = logger;
        Apply();
        _subscription = ChangeToken.OnChange(() => _source.ChangeToken, Apply);
    }

    public void Dispose() => _subscription.Dispose();

    private void Apply()
    {
        var snapshot = _source.Snapshot;
        try
        {
            _services.Replace(snapshot.Services);
        }
        catch (ArgumentException e)
        {
            LogRefused(_logger, e.Message);
            return;
        }

        _graphs.Replace(snapshot.Graphs);
    }

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Routes refused, keeping the previous ones: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
