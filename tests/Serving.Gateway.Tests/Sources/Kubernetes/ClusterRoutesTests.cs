using System.Text.Json;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Gateway.Model;
using Serving.Gateway.Sources.Kubernetes;

namespace Serving.Gateway.Tests.Sources.Kubernetes;

/// <summary>A cluster's routes from the objects its informers hold: statuses, and the revisions' slices.</summary>
public sealed class ClusterRoutesTests
{
    [Fact]
    public void A_canary_routes_each_revision_to_its_own_slices_ready_pods_with_the_limit_from_its_labels()
    {
        var revisions = EndpointSlices.ByRevision(
        [
            EndpointSlices.Read(EndpointSlicesTests.Load("v1beta1.json"))!,
            new RevisionSlice("lab", "iris-predictor-00002", ["http://127.0.14.9:8080"], 4, "v2"),
        ]);

        var snapshot = ClusterRoutes.Build([Service()], [], revisions);

        var route = Assert.Single(snapshot.Services);
        Assert.Null(route.Problem);
        Assert.Equal("v2", route.ProtocolVersion);
        var predictor = route.Components[Component.Predictor];
        Assert.Equal(["iris-predictor-00002:10@latest", "iris-predictor-00001:90@prev"], predictor.Traffic.Select(t => $"{t.Revision}:{t.Percent}@{t.Tag}"));
        var one = predictor.Revisions.Single(r => r.Name == "iris-predictor-00001");
        Assert.Equal(["http://127.0.14.2:8080", "http://127.0.14.3:8080"], one.Endpoints.Select(e => e.Address));
        Assert.Equal(4, one.ContainerConcurrency);
        Assert.Equal(["http://127.0.14.9:8080"], predictor.Revisions.Single(r => r.Name == "iris-predictor-00002").Endpoints.Select(e => e.Address));
    }

    [Fact]
    public void A_revision_whose_slices_are_not_there_yet_is_routed_with_no_replica_so_requests_wait_for_it()
    {
        var revisions = EndpointSlices.ByRevision([new RevisionSlice("other-namespace", "iris-predictor-00001", ["http://10.0.0.1:8080"], 0, null)]);

        var route = Assert.Single(ClusterRoutes.Build([Service()], [], revisions).Services);

        Assert.Null(route.Problem);
        Assert.All(route.Components[Component.Predictor].Revisions, r => Assert.Empty(r.Endpoints));
    }

    private static InferenceService Service() =>
        JsonSerializer.Deserialize<InferenceService>(EndpointSlicesTests.Load("iris-canary.json"), KubeJson.Options)!;
}
