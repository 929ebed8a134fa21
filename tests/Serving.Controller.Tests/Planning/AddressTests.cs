using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Loading;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Tests.Planning;

/// <summary><c>status.address</c> (kserve-api.md §2.1, §2.2): the cluster-local URL, where the platform has cluster DNS.</summary>
public sealed class AddressTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly PlannerOptions Kubernetes = new(ClusterLocalDomain: "svc.cluster.local");

    [Theory]
    [InlineData("Serverless")]
    [InlineData("RawDeployment")]
    public void Follows_the_url_once_routed_in_both_modes(string mode)
    {
        var (starting, ready) = Plan(mode, Kubernetes, addressTaken: null);

        Assert.Null(starting.Address);
        Assert.Null(starting.Url);
        Assert.Equal("http://iris.team.svc.cluster.local", ready.Address?.Url);
        Assert.Equal("http://iris.team.example.com", ready.Url);
        Assert.All(ready.Components!.Values, c => Assert.Null(c.Address)); // no Service {isvc}-{component} to name
    }

    [Fact]
    public void Is_absent_without_cluster_dns()
    {
        var (_, ready) = Plan("Serverless", new PlannerOptions(), addressTaken: null);

        Assert.NotNull(ready.Url);
        Assert.Null(ready.Address);
    }

    [Fact]
    public void Is_absent_and_said_why_when_the_name_is_taken()
    {
        var (_, ready) = Plan("Serverless", Kubernetes, addressTaken: "Service team/iris exists and is not this InferenceService's");

        Assert.Null(ready.Address);
        Assert.Equal("http://iris.team.example.com", ready.Url);
        var address = ready.Conditions!.Single(c => c.Type == ConditionTypes.AddressReady);
        Assert.Equal((ConditionStatus.False, "AddressConflict"), (address.Status, address.Reason));
        Assert.Equal("Service team/iris exists and is not this InferenceService's", address.Message);
        Assert.Equal(ConditionStatus.True, ready.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Status);
    }

    private static (InferenceServiceStatus Starting, InferenceServiceStatus Ready) Plan(string mode, PlannerOptions options, string? addressTaken)
    {
        var loaded = ManifestLoader.Load($"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: iris
              namespace: team
              annotations:
                serving.kserve.io/deploymentMode: {mode}
            spec:
              predictor:
                model:
                  modelFormat: {"{name: onnx}"}
                  storageUri: file://samples/models/iris
            """, "test");
        Assert.Empty(loaded.Errors);
        var admitted = Admission.Admission.Admit(loaded.InferenceServices.Single(), RuntimeCatalog.Defaults);
        var starting = ServicePlanner.Plan(admitted, new ObservedService([], null, addressTaken), Now, options);
        var made = starting.Plan!.Components
            .SelectMany(c => c.Revisions.Select(r => new ObservedRevision(c.Component, r, new RevisionObservation(RevisionPhase.Ready, 1))))
            .ToList();
        var ready = ServicePlanner.Plan(admitted, new ObservedService(made, starting.Status, addressTaken), Now, options);
        return (starting.Status, ready.Status);
    }
}
