using Serving.Controller.Planning;

namespace Serving.Controller.Tests.Planning;

/// <summary>KServe's rollout scenario table (kserve-api.md §3.3), step by step, with revisions becoming ready as Knative's would.</summary>
public sealed class RevisionBookkeepingTests
{
    private readonly HashSet<string> _ready = [];
    private readonly HashSet<string> _failed = [];
    private RevisionBook _book = RevisionBook.Empty;

    [Fact]
    public void Create_rolls_out_the_first_revision_once_it_is_ready()
    {
        Apply("v1", canary: null);
        Assert.Equal("isvc-predictor-00001", _book.LatestCreated!.Name);
        Assert.Null(_book.LatestRolledoutRevision);
        Assert.Equal([new PlannedTraffic(null, 100, true, null)], _book.Traffic);

        Ready("isvc-predictor-00001");
        Assert.Equal("isvc-predictor-00001", _book.LatestRolledoutRevision);
        Assert.Null(_book.PreviousRolledoutRevision);
        Assert.Equal([new PlannedTraffic("isvc-predictor-00001", 100, true, null)], _book.Traffic);
    }

    [Fact]
    public void A_canary_splits_traffic_without_rolling_out()
    {
        Rolled("v1");
        Apply("v2", canary: 10);
        // Knative resolves latest to the latest ready: both targets reach revision 1 while revision 2 starts.
        Assert.Equal(
            [new PlannedTraffic("isvc-predictor-00001", 10, true, null), new PlannedTraffic("isvc-predictor-00001", 90, false, "prev")],
            _book.Traffic);
        Ready("isvc-predictor-00002");
        Assert.Equal(
            [new PlannedTraffic("isvc-predictor-00002", 10, true, null), new PlannedTraffic("isvc-predictor-00001", 90, false, "prev")],
            _book.Traffic);
        Assert.Equal("isvc-predictor-00001", _book.LatestRolledoutRevision);
    }

    [Fact]
    public void Re_editing_during_a_canary_leaves_the_middle_revision_without_traffic()
    {
        Rolled("v1");
        Apply("v2", canary: 10);
        Ready("isvc-predictor-00002");
        Apply("v3", canary: 10);
        Ready("isvc-predictor-00003");

        Assert.Equal(
            [new PlannedTraffic("isvc-predictor-00003", 10, true, null), new PlannedTraffic("isvc-predictor-00001", 90, false, "prev")],
            _book.Traffic);
        Assert.DoesNotContain(RevisionBookkeeping.Live(_book, Phase), r => r.Name == "isvc-predictor-00002");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(100L)]
    public void Promotion_by_removing_the_percent_or_setting_100(long? percent)
    {
        Rolled("v1");
        Apply("v2", canary: 10);
        Ready("isvc-predictor-00002");
        Apply("v2", canary: percent);

        Assert.Equal("isvc-predictor-00002", _book.LatestRolledoutRevision);
        Assert.Equal("isvc-predictor-00001", _book.PreviousRolledoutRevision);
        Assert.Equal([new PlannedTraffic("isvc-predictor-00002", 100, true, null)], _book.Traffic);
        Assert.Equal(["isvc-predictor-00002"], RevisionBookkeeping.Live(_book, Phase).Select(r => r.Name));
    }

    [Fact]
    public void Pinning_to_zero_before_promotion_keeps_the_rolled_out_revision()
    {
        Rolled("v1");
        Apply("v2", canary: 10);
        Ready("isvc-predictor-00002");
        Apply("v2", canary: 0);

        Assert.Equal("isvc-predictor-00001", _book.LatestRolledoutRevision);
        Assert.Equal(
            [new PlannedTraffic("isvc-predictor-00002", 0, true, null), new PlannedTraffic("isvc-predictor-00001", 100, false, "prev")],
            _book.Traffic);
    }

    [Fact]
    public void Rollback_after_promotion_takes_two_passes_and_returns_to_the_previous_revision()
    {
        Rolled("v1");
        Apply("v2", canary: 10);
        Ready("isvc-predictor-00002");
        Apply("v2", canary: null);
        Apply("v2", canary: 0);

        Assert.Equal("isvc-predictor-00001", _book.LatestRolledoutRevision);
        Assert.Equal("isvc-predictor-00001", _book.PreviousRolledoutRevision);
        Assert.Equal(
            [new PlannedTraffic("isvc-predictor-00002", 0, true, null), new PlannedTraffic("isvc-predictor-00001", 100, false, "prev")],
            _book.Traffic);
    }

    [Fact]
    public void A_canary_on_a_brand_new_service_takes_everything_until_rolled_out()
    {
        Apply("v1", canary: 10);
        Ready("isvc-predictor-00001");

        Assert.Equal("isvc-predictor-00001", _book.LatestRolledoutRevision);
        // Once rolled out, KServe writes the split again, and both targets reach the only revision.
        Assert.All(_book.Traffic, t => Assert.Equal("isvc-predictor-00001", t.Revision));
        Assert.Equal(100, _book.Traffic.Sum(t => t.Percent));
    }

    [Fact]
    public void A_failed_new_revision_receives_no_traffic_keeps_being_retried_and_the_old_one_stays()
    {
        Rolled("v1");
        Apply("v2", canary: null);
        _failed.Add("isvc-predictor-00002");
        Apply("v2", canary: null);

        Assert.Equal("isvc-predictor-00002", _book.LatestCreated!.Name);
        Assert.Equal("isvc-predictor-00001", _book.LatestReadyRevision);
        Assert.Equal([new PlannedTraffic("isvc-predictor-00001", 100, true, null)], _book.Traffic);
        // The failed revision still runs (its starts are retried with backoff, as a crash-looping pod's) but gets no traffic.
        Assert.Equal(["isvc-predictor-00001", "isvc-predictor-00002"], RevisionBookkeeping.Live(_book, Phase).Select(r => r.Name));

        _failed.Remove("isvc-predictor-00002");
        Ready("isvc-predictor-00002");
        Assert.Equal([new PlannedTraffic("isvc-predictor-00002", 100, true, null)], _book.Traffic);
        Assert.Equal("isvc-predictor-00002", _book.LatestRolledoutRevision);
    }

    [Fact]
    public void After_a_promotion_the_previous_revision_is_retained_for_a_rollback_and_older_ones_are_not()
    {
        Rolled("v1");
        Apply("v2", canary: 10);
        Ready("isvc-predictor-00002");
        Apply("v2", canary: null);
        var live = RevisionBookkeeping.Live(_book, Phase);
        Assert.Equal(["isvc-predictor-00001"], RevisionBookkeeping.Retained(_book, live).Select(r => r.Name));

        Apply("v3", canary: 10);
        Ready("isvc-predictor-00003");
        Apply("v3", canary: 100);
        live = RevisionBookkeeping.Live(_book, Phase);
        Assert.Equal(["isvc-predictor-00003"], live.Select(r => r.Name));
        Assert.Equal(["isvc-predictor-00002"], RevisionBookkeeping.Retained(_book, live).Select(r => r.Name));
    }

    [Fact]
    public void A_book_rebuilt_from_the_revisions_that_exist_and_the_last_status_continues_the_numbering()
    {
        Rolled("v1");
        Apply("v2", canary: 10);
        Ready("isvc-predictor-00002");
        var status = new Api.V1Beta1.ComponentStatusSpec
        {
            LatestCreatedRevision = "isvc-predictor-00002",
            LatestRolledoutRevision = _book.LatestRolledoutRevision,
            PreviousRolledoutRevision = _book.PreviousRolledoutRevision,
            Traffic = RevisionBookkeeping.StatusTraffic(_book, tag => tag),
        };

        // Only revision 2 still exists (1 was deleted by hand): the next revision is 3, never 2 again.
        var rebuilt = RevisionBookkeeping.Rebuild(_book.Revisions.Where(r => r.Name.EndsWith("2", StringComparison.Ordinal)), status);
        Assert.Null(rebuilt.LatestRolledoutRevision); // revision 1 is gone: nothing it names is resumed
        Assert.Equal(2, rebuilt.LastNumber);
        var next = RevisionBookkeeping.Reconcile(rebuilt, "isvc-predictor", Template("v3"), 10, false, Phase);
        Assert.Equal("isvc-predictor-00003", next.LatestCreated!.Name);
        Assert.Equal((10L, false), RevisionBookkeeping.FromTraffic(status.Traffic));
    }

    [Fact]
    public void Tag_routing_tags_the_latest_target_and_prev_is_always_tagged()
    {
        Rolled("v1", tags: true);
        Apply("v2", canary: 20, tags: true);
        Ready("isvc-predictor-00002", tags: true);

        Assert.Equal(
            [new PlannedTraffic("isvc-predictor-00002", 20, true, "latest"), new PlannedTraffic("isvc-predictor-00001", 80, false, "prev")],
            _book.Traffic);
    }

    [Fact]
    public void The_same_template_makes_no_new_revision()
    {
        Rolled("v1");
        Apply("v1", canary: 30);
        Assert.Single(_book.Revisions);
    }

    private void Rolled(string template, bool tags = false)
    {
        Apply(template, canary: null, tags);
        Ready(_book.LatestCreated!.Name, tags);
    }

    private void Ready(string revision, bool tags = false)
    {
        _ready.Add(revision);
        Apply(_lastTemplate, _lastCanary, tags);
    }

    private long? _lastCanary;
    private string _lastTemplate = "";

    private void Apply(string template, long? canary, bool tags = false)
    {
        _lastCanary = canary;
        _lastTemplate = template;
        _book = RevisionBookkeeping.Reconcile(_book, "isvc-predictor", Template(template), canary, tags, Phase);
    }

    private RevisionPhase Phase(string revision) =>
        _failed.Contains(revision) ? RevisionPhase.Failed : _ready.Contains(revision) ? RevisionPhase.Ready : RevisionPhase.Pending;

    private static RevisionTemplate Template(string fingerprint) => new(
        "predictor", "isvc", "serving-onnxruntime", "serving-runtime:latest", [], new Dictionary<string, string>(), "file://m", "v1", 0, null,
        new ScalingSpec(null, 0, null, null, new Dictionary<string, string>()), fingerprint);
}
