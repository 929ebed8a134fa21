using Microsoft.Extensions.Logging;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Loading;
using Serving.Controller.Planning;
using Serving.Controller.Reconciling;

namespace Serving.Controller.Tests.Reconciling;

/// <summary>
/// The core reconcile over a backend that keeps only records: the planner's state comes back from the revisions that
/// exist and the status written last, so a new reconciler (a restarted controller) carries on where the last one was.
/// </summary>
public sealed class ServiceReconcilerTests
{
    private readonly InMemoryBackend _backend = new();
    private readonly ListLogger<ServiceReconciler> _log = new();

    [Fact]
    public async Task A_restart_in_the_middle_of_a_canary_resumes_the_same_revisions_traffic_and_history()
    {
        await RollOutAsync("v1");
        await ReconcileAsync(Isvc("v2", canary: 10));
        _backend.Ready("iris-predictor-00002");
        var before = await ReconcileAsync(Isvc("v2", canary: 10));
        Assert.Equal([("iris-predictor-00002", 10L), ("iris-predictor-00001", 90L)], Traffic(before));

        _backend.Restart(); // nothing runs yet after a restart; the records and the status remain
        var after = await ReconcileAsync(Isvc("v2", canary: 10), fresh: true);

        Assert.Equal(Traffic(before), Traffic(after));
        Assert.Equal(["iris-predictor-00001", "iris-predictor-00002"], _backend.Running);
        Assert.Equal("True", Ready(after));
        var predictor = after.Components!["predictor"];
        Assert.Equal("iris-predictor-00001", predictor.LatestRolledoutRevision);
        Assert.Equal("iris-predictor-00002", predictor.LatestReadyRevision);

        // Promotion after the restart goes on with the same numbers and history.
        var promoted = await ReconcileAsync(Isvc("v2", canary: 100), fresh: true);
        Assert.Equal("iris-predictor-00002", promoted.Components!["predictor"].LatestRolledoutRevision);
        Assert.Equal("iris-predictor-00001", promoted.Components["predictor"].PreviousRolledoutRevision);
        Assert.Equal(["iris-predictor-00002"], _backend.Running);
        Assert.Equal(["iris-predictor-00001", "iris-predictor-00002"], _backend.Revisions); // 1 kept at zero for a rollback

        var next = await ReconcileAsync(Isvc("v3", canary: 10), fresh: true);
        Assert.Equal("iris-predictor-00003", next.Components!["predictor"].LatestCreatedRevision);
    }

    [Fact]
    public async Task A_rollback_after_a_promotion_brings_the_retained_revision_back()
    {
        await RollOutAsync("v1");
        await ReconcileAsync(Isvc("v2", canary: 10));
        _backend.Ready("iris-predictor-00002");
        await ReconcileAsync(Isvc("v2", canary: null));
        Assert.Equal(["iris-predictor-00002"], _backend.Running);

        var rolledBack = await ReconcileAsync(Isvc("v2", canary: 0), fresh: true);

        Assert.Equal([("iris-predictor-00002", 0L), ("iris-predictor-00001", 100L)], Traffic(rolledBack));
        Assert.Contains("iris-predictor-00001", _backend.Running);
        Assert.Equal("iris-predictor-00001", rolledBack.Components!["predictor"].LatestRolledoutRevision);
    }

    [Fact]
    public async Task Revisions_no_traffic_reaches_are_removed_and_numbering_continues_from_the_highest()
    {
        await RollOutAsync("v1");
        await ReconcileAsync(Isvc("v2", canary: 10));
        _backend.Ready("iris-predictor-00002");
        await ReconcileAsync(Isvc("v3", canary: 10)); // re-edit during the canary: 2 loses its share
        _backend.Ready("iris-predictor-00003");
        await ReconcileAsync(Isvc("v3", canary: 10));

        Assert.Equal(["iris-predictor-00001", "iris-predictor-00003"], _backend.Revisions);
        await ReconcileAsync(Isvc("v4", canary: 10), fresh: true);
        Assert.Contains("iris-predictor-00004", _backend.Revisions);
    }

    [Fact]
    public async Task Switching_the_mode_rolls_onto_a_revision_in_the_new_mode_and_traffic_moves_once_it_is_ready()
    {
        await RollOutAsync("v1");

        var switching = await ReconcileAsync(Isvc("v1", mode: "RawDeployment"));
        Assert.Equal("Standard", switching.DeploymentMode);
        Assert.Equal([("iris-predictor-00001", 100L)], Traffic(switching)); // the old one serves until the new one is ready
        var raw = _backend.LastPlan!.Components[0].Revisions.Single(r => r.Name == "iris-predictor-00002");
        Assert.Equal(1, raw.Template!.Scaling.MinReplicas); // raw mode keeps a replica

        _backend.Ready("iris-predictor-00002");
        var switched = await ReconcileAsync(Isvc("v1", mode: "RawDeployment"));
        Assert.Equal([("iris-predictor-00002", 100L)], Traffic(switched));
        Assert.Equal(["iris-predictor-00002"], _backend.Running);

        var back = await ReconcileAsync(Isvc("v1", mode: "Serverless"), fresh: true);
        Assert.Equal("Knative", back.DeploymentMode);
        Assert.Equal("iris-predictor-00003", back.Components!["predictor"].LatestCreatedRevision);
    }

    [Fact]
    public async Task A_refused_update_keeps_the_last_accepted_spec_serving_says_why_and_is_logged_once()
    {
        await RollOutAsync("v1");

        var typo = Isvc("v2", canary: null).Replace("storageUri:", "stoargeUri:", StringComparison.Ordinal);
        var refused = await ReconcileAsync(typo);
        await ReconcileAsync(typo);
        await ReconcileAsync(typo, fresh: true);

        Assert.Equal("True", Ready(refused));
        Assert.Equal([("iris-predictor-00001", 100L)], Traffic(refused));
        Assert.Equal(["iris-predictor-00001"], _backend.Running);
        var condition = refused.Conditions!.Single(c => c.Type == ConditionTypes.SpecAccepted);
        Assert.Equal(("False", "InvalidSpec"), (condition.Status, condition.Reason));
        Assert.Contains("spec.predictor.model.stoargeUri: unknown field; did you mean storageUri?", condition.Message, StringComparison.Ordinal);
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("stoargeUri", StringComparison.Ordinal));

        var fixedAgain = await ReconcileAsync(Isvc("v2", canary: null));
        Assert.DoesNotContain(fixedAgain.Conditions!, c => c.Type == ConditionTypes.SpecAccepted);
        Assert.Contains("iris-predictor-00002", _backend.Running);
    }

    [Fact]
    public async Task A_spec_that_was_never_accepted_runs_nothing_and_says_why()
    {
        var status = await ReconcileAsync(Isvc("v1", canary: null).Replace("onnx", "sklearn", StringComparison.Ordinal));
        await ReconcileAsync(Isvc("v1", canary: null).Replace("onnx", "sklearn", StringComparison.Ordinal), fresh: true);

        Assert.Null(_backend.LastPlan);
        Assert.Equal("False", Ready(status));
        var ready = status.Conditions!.Single(c => c.Type == ConditionTypes.Ready);
        Assert.Equal("NoSupportingRuntime", ready.Reason);
        Assert.Contains("the installed runtimes serve: onnx", ready.Message, StringComparison.Ordinal);
        Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_first_revision_that_keeps_failing_is_retried_and_the_status_says_why()
    {
        await ReconcileAsync(Isvc("v1", canary: null));
        _backend.Fail("iris-predictor-00001", "exited with code 1; last output: model not found");

        var status = await ReconcileAsync(Isvc("v1", canary: null));

        Assert.Equal("False", Ready(status));
        Assert.Equal(["iris-predictor-00001"], _backend.Running); // still tried, with backoff, by the backend
        Assert.Contains("CrashLoopBackOff (restarts: 2): exited with code 1", status.ModelStatus!.LastFailureInfo!.Message, StringComparison.Ordinal);

        _backend.Ready("iris-predictor-00001");
        Assert.Equal("True", Ready(await ReconcileAsync(Isvc("v1", canary: null))));
    }

    [Fact]
    public async Task An_unchanged_status_is_not_written_again()
    {
        await RollOutAsync("v1");
        int writes = _backend.StatusWrites;
        await ReconcileAsync(Isvc("v1", canary: null));
        await ReconcileAsync(Isvc("v1", canary: null), fresh: true);
        Assert.Equal(writes, _backend.StatusWrites);
    }

    private ServiceReconciler? _reconciler;

    private async Task RollOutAsync(string version)
    {
        await ReconcileAsync(Isvc(version, canary: null));
        _backend.Ready("iris-predictor-00001");
        Assert.Equal("True", Ready(await ReconcileAsync(Isvc(version, canary: null))));
    }

    /// <param name="fresh">A new reconciler: what a restarted controller is.</param>
    private async Task<InferenceServiceStatus> ReconcileAsync(string yaml, bool fresh = false)
    {
        if (fresh || _reconciler is null)
        {
            _reconciler = new ServiceReconciler(_backend, new PlannerOptions(), TimeProvider.System, _log);
        }

        var isvc = ManifestLoader.Load(yaml, "t.yaml").InferenceServices.Single();
        return (await _reconciler.ReconcileAsync(isvc with { Metadata = isvc.Metadata with { Namespace = "default" } }, CancellationToken.None)).Status;
    }

    private static string Isvc(string version, long? canary = null, string mode = "Serverless") =>
        "apiVersion: serving.kserve.io/v1beta1\n"
        + "kind: InferenceService\n"
        + $"metadata: {{name: iris, annotations: {{serving.kserve.io/deploymentMode: {mode}}}}}\n"
        + "spec:\n"
        + "  predictor:\n"
        + (canary is null ? "" : $"    canaryTrafficPercent: {canary}\n")
        + "    model:\n"
        + "      modelFormat: {name: onnx}\n"
        + "      storageUri: file://models/iris\n"
        + $"      args: [\"--model_version={version}\"]\n";

    private static string? Ready(InferenceServiceStatus status) => status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Status;

    private static IReadOnlyList<(string? Revision, long? Percent)> Traffic(InferenceServiceStatus status) =>
        [.. status.Components!["predictor"].Traffic!.Select(t => (t.RevisionName, t.Percent))];
}
