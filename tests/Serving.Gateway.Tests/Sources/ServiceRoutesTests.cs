using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Gateway.Model;
using Serving.Gateway.Sources;
using TrafficTarget = Serving.Controller.Api.V1Beta1.TrafficTarget;

namespace Serving.Gateway.Tests.Sources;

/// <summary>The one status-to-route translation every route source uses.</summary>
public sealed class ServiceRoutesTests
{
    private static readonly RevisionEndpoints One = new(["http://127.0.0.1:9001"], 4, "v2");

    [Fact]
    public void A_canary_routes_both_revisions_with_their_tags_and_the_predictor_s_protocol()
    {
        var status = Status(
            Predictor(latestReady: "iris-predictor-00002", latestCreated: "iris-predictor-00002",
                Target("iris-predictor-00002", 10, latest: true, tag: "latest"), Target("iris-predictor-00001", 90, latest: false, tag: "prev")),
            Condition(ConditionTypes.Ready, "True"));

        var route = ServiceRoutes.From(Service("iris", status), r => r.EndsWith("1", StringComparison.Ordinal) ? One : One with { Ready = ["http://127.0.0.1:9002"] });

        Assert.Null(route.Problem);
        Assert.Equal("v2", route.ProtocolVersion);
        var predictor = route.Components[Component.Predictor];
        Assert.Equal(
            [new Gateway.Model.TrafficTarget("iris-predictor-00002", 10, "latest"), new Gateway.Model.TrafficTarget("iris-predictor-00001", 90, "prev")],
            predictor.Traffic);
        Assert.Equal(["http://127.0.0.1:9002"], predictor.Revisions.Single(r => r.Name == "iris-predictor-00002").Endpoints.Select(e => e.Address));
        Assert.All(predictor.Revisions, r => Assert.Equal(4, r.ContainerConcurrency));
    }

    [Fact]
    public void Before_any_revision_is_ready_the_latest_created_one_takes_the_traffic_so_requests_wait_for_it()
    {
        var status = Status(Predictor(null, "iris-predictor-00001", Target(null, 100, latest: true)), Condition(ConditionTypes.PredictorReady, "Unknown"));

        var route = ServiceRoutes.From(Service("iris", status), _ => new RevisionEndpoints([]));

        Assert.Null(route.Problem);
        Assert.Equal("iris-predictor-00001", route.Components[Component.Predictor].Traffic.Single().Revision);
    }

    [Fact]
    public void A_first_revision_that_fails_is_a_problem_with_its_reason()
    {
        var status = Status(
            Predictor(null, "iris-predictor-00001", Target(null, 100, latest: true)),
            Condition(ConditionTypes.PredictorReady, "False", "RevisionFailed", "Revision \"iris-predictor-00001\" failed with message: model not found."),
            Condition(ConditionTypes.Ready, "False", "RevisionNotReady", "…"));

        var route = ServiceRoutes.From(Service("iris", status), _ => new RevisionEndpoints([]));

        Assert.Empty(route.Components);
        Assert.Equal(new ServiceProblem("RevisionFailed", "Revision \"iris-predictor-00001\" failed with message: model not found."), route.Problem);
    }

    [Fact]
    public void A_refused_spec_with_nothing_running_is_a_problem_and_a_refused_update_is_not()
    {
        var rejected = new InferenceServiceStatus
        {
            Conditions = [Condition(ConditionTypes.PredictorReady, "False", "NoSupportingRuntime", "no runtime for sklearn"), Condition(ConditionTypes.Ready, "False", "NoSupportingRuntime", "no runtime for sklearn")],
        };
        Assert.Equal(new ServiceProblem("NoSupportingRuntime", "no runtime for sklearn"), ServiceRoutes.From(Service("s", rejected), _ => null).Problem);

        var refusedUpdate = Status(
            Predictor("s-predictor-00001", "s-predictor-00001", Target("s-predictor-00001", 100, latest: true)),
            Condition(ConditionTypes.Ready, "True"), Condition(ConditionTypes.SpecAccepted, "False", "InvalidSpec", "typo"));
        Assert.Null(ServiceRoutes.From(Service("s", refusedUpdate), _ => One).Problem);
    }

    [Fact]
    public void Traffic_to_revisions_that_do_not_exist_is_not_routed_and_no_status_is_not_reconciled_yet()
    {
        var status = Status(Predictor("a-predictor-00001", "a-predictor-00001", Target("a-predictor-00001", 100, latest: true)), Condition(ConditionTypes.Ready, "True"));
        Assert.NotNull(ServiceRoutes.From(Service("a", status), _ => null).Problem);
        Assert.Equal("NotReconciled", ServiceRoutes.From(Service("a", null), _ => One).Problem!.Reason);
    }

    private static InferenceService Service(string name, InferenceServiceStatus? status) =>
        new() { Metadata = new ObjectMeta { Name = name, Namespace = "default" }, Status = status };

    private static InferenceServiceStatus Status(ComponentStatusSpec predictor, params Condition[] conditions) => new()
    {
        Components = new Dictionary<string, ComponentStatusSpec> { ["predictor"] = predictor },
        Conditions = conditions,
    };

    private static ComponentStatusSpec Predictor(string? latestReady, string latestCreated, params TrafficTarget[] traffic) => new()
    {
        LatestReadyRevision = latestReady,
        LatestCreatedRevision = latestCreated,
        Traffic = traffic,
    };

    private static TrafficTarget Target(string? revision, long percent, bool latest, string? tag = null) =>
        new() { RevisionName = revision, Percent = percent, LatestRevision = latest, Tag = tag };

    private static Condition Condition(string type, string status, string? reason = null, string? message = null) =>
        new() { Type = type, Status = status, Reason = reason, Message = message };
}
