using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Loading;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Tests.Planning;

/// <summary>An InferenceGraph's status when its cluster-local name (the Service <c>{ig}</c>) is someone else's.</summary>
public sealed class GraphStatusesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private const string Taken = "Service team/iris exists and is InferenceService iris's";

    [Fact]
    public void Has_no_address_condition_when_the_name_is_its_own()
    {
        var status = Of(previous: null, addressTaken: null, Now);

        Assert.Equal([GraphStatuses.ReadyCondition], status.Conditions!.Select(c => c.Type));
        Assert.Equal("http://iris.team.example.com", status.Url);
    }

    [Fact]
    public void Says_why_when_the_name_is_taken_and_stays_ready()
    {
        var status = Of(previous: null, addressTaken: Taken, Now);

        var address = status.Conditions!.Single(c => c.Type == ConditionTypes.AddressReady);
        Assert.Equal((ConditionStatus.False, "AddressConflict", Taken), (address.Status, address.Reason, address.Message));
        Assert.Equal(ConditionStatus.True, status.Conditions!.Single(c => c.Type == GraphStatuses.ReadyCondition).Status);
        Assert.Equal("http://iris.team.example.com", status.Url); // the gateway routes the host whoever holds the Service
    }

    [Fact]
    public void Keeps_each_condition_s_transition_time_while_it_does_not_change()
    {
        var first = Of(previous: null, addressTaken: Taken, Now);

        var again = Of(first, Taken, Now.AddMinutes(5));
        var freed = Of(again, addressTaken: null, Now.AddMinutes(10));

        Assert.Equal(first.Conditions, again.Conditions);
        Assert.Equal(first.Conditions!.Single(c => c.Type == GraphStatuses.ReadyCondition), freed.Conditions!.Single());
    }

    private static InferenceGraphStatus Of(InferenceGraphStatus? previous, string? addressTaken, DateTimeOffset now)
    {
        var loaded = ManifestLoader.Load("""
            apiVersion: serving.kserve.io/v1alpha1
            kind: InferenceGraph
            metadata:
              name: iris
              namespace: team
            spec:
              nodes:
                root:
                  routerType: Sequence
                  steps:
                  - serviceUrl: http://elsewhere.example.com/v1/models/m:predict
            """, "test");
        Assert.Empty(loaded.Errors);
        var admitted = Admission.Admission.Admit(loaded.InferenceGraphs.Single(), RuntimeCatalog.Defaults);
        return GraphStatuses.Of(admitted, _ => null, previous, now, new PlannerOptions(), addressTaken);
    }
}
