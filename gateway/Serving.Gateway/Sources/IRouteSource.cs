using Microsoft.Extensions.Primitives;
using Serving.Controller.Api.V1Alpha1;
using Serving.Gateway.Model;

namespace Serving.Gateway.Sources;

/// <summary>
/// Where the gateway's routes come from, as YARP's <c>IProxyConfigProvider</c>: an immutable snapshot, and a token that
/// fires once when a newer one is there. A routes file, the local platform and a Kubernetes watch each implement it;
/// the gateway applies whatever it is given (<see cref="RouteSourceApplier"/>).
/// </summary>
public interface IRouteSource
{
    RouteSnapshot Snapshot { get; }

    /// <summary>Fires once after the next change; read <see cref="Snapshot"/> and take a new token then.</summary>
    IChangeToken ChangeToken { get; }
}

/// <summary>Everything the gateway routes at one moment: the InferenceServices and the InferenceGraphs.</summary>
public sealed record RouteSnapshot(IReadOnlyList<ServiceRoute> Services, IReadOnlyList<InferenceGraph> Graphs)
{
    public static RouteSnapshot Empty { get; } = new([], []);
}
