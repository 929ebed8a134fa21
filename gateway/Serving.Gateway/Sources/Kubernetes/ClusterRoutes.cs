using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Gateway.Sources.Kubernetes;

/// <summary>
/// The routes of a cluster at one moment, from what the informers hold: every InferenceService through the one
/// status-to-route translation (<see cref="ServiceRoutes.From"/>) with each revision's ready endpoints from its
/// EndpointSlices, and the InferenceGraphs as they are.
/// </summary>
internal static class ClusterRoutes
{
    /// <summary>A revision named by a status whose slices are not there yet (its Service was just made): no replica, so requests wait for one.</summary>
    private static readonly RevisionEndpoints Unpublished = new([]);

    public static RouteSnapshot Build(
        IEnumerable<InferenceService> services,
        IEnumerable<InferenceGraph> graphs,
        IReadOnlyDictionary<(string Namespace, string Revision), RevisionEndpoints> revisions)
    {
        ArgumentNullException.ThrowIfNull(revisions);
        var routes = services
            .Select(service => ServiceRoutes.From(service, revision => revisions.GetValueOrDefault((service.Metadata.NamespaceOrDefault(), revision)) ?? Unpublished))
            .OrderBy(r => r.Key.ToString(), StringComparer.Ordinal)
            .ToList();
        return new RouteSnapshot(routes, [.. graphs]);
    }
}
