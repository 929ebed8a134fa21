using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Tests.Infrastructure;

namespace Serving.Autoscaling.Tests.Kpa;

/// <summary>
/// The KServe walkthrough's load test (<c>reference/kserve-walkthrough.md</c>, "What the user checks"): an
/// InferenceService with <c>minReplicas: 0</c>, <c>maxReplicas: 5</c>, <c>scaleMetric: concurrency</c>,
/// <c>scaleTarget: 5</c> (3.5 per replica at 70% utilisation) is created at 0 s; <c>hey -z 60s -c 20</c> runs from
/// 30 s to 90 s, so 20 requests are in flight or held throughout; then nothing.
/// </summary>
public sealed class WalkthroughTests
{
    private static readonly Lazy<Simulation> Run = new(() => Walkthrough(minReplicas: 0));

    private static AutoscalingConfig Config(int minReplicas) => AutoscalingConfigParser.FromKServe(new KServeScaling
    {
        MinReplicas = minReplicas,
        MaxReplicas = 5,
        ScaleMetric = "concurrency",
        ScaleTarget = 5,
    });

    private static Simulation Walkthrough(int minReplicas)
    {
        var sim = new Simulation(Config(minReplicas));
        sim.RunUntil(29.9);
        sim.Concurrency = 20;
        sim.Rps = 200;
        sim.RunUntil(89.9);
        sim.Concurrency = 0;
        sim.Rps = 0;
        sim.RunUntil(240);
        return sim;
    }

    [Theory]
    [InlineData(0, 30, 1)]    // initial scale; nothing wanted, but a new revision keeps its replica a stable window
    [InlineData(32, 32, 3)]   // panic window (27..32) = 10 -> 3 wanted >= 2 x 1 ready: panic
    [InlineData(34, 90, 5)]   // panic ratchets to ceil(20 / 3.5) = 6, max-scale holds it at 5
    [InlineData(92, 106, 5)]  // panic over (last trigger at 32 s); the stable window still wants 6, capped
    [InlineData(108, 116, 4)] // the stable window sheds the busy seconds one by one: ceil((59 - m) / 10.5)
    [InlineData(118, 126, 3)]
    [InlineData(128, 138, 2)]
    [InlineData(140, 178, 1)] // from 150 s nothing is wanted; the last replica waits out the 30 s grace period
    [InlineData(180, 240, 0)]
    public void Replicas_follow_the_load_within_min_and_max_and_return_to_zero(int from, int to, int replicas)
    {
        var decisions = Run.Value.Decisions.Where(d => d.Second >= from && d.Second <= to).ToList();

        Assert.Equal(((to - from) / 2) + 1, decisions.Count); // one decision every 2 s
        Assert.All(decisions, d => Assert.Equal(replicas, d.Decision.Replicas));
    }

    [Fact]
    public void Panic_lasts_from_the_burst_to_a_stable_window_after_its_last_trigger()
    {
        var panicking = Run.Value.Decisions.Where(d => d.Decision.Panicking).Select(d => d.Second).ToList();

        Assert.Equal(32, panicking.Min());
        Assert.Equal(90, panicking.Max());
        Assert.Equal(30, panicking.Count); // every tick from 32 to 90
    }

    [Fact]
    public void Replicas_never_leave_the_bounds()
    {
        Assert.All(Run.Value.Decisions, d => Assert.InRange(d.Decision.Replicas, 0, 5));
        Assert.Equal(5, Run.Value.Decisions.Max(d => d.Decision.Replicas));
    }

    [Fact]
    public void With_min_replicas_one_the_revision_settles_at_one_instead_of_zero()
    {
        var sim = Walkthrough(minReplicas: 1);

        Assert.Equal(5, sim.DecisionAt(60).Replicas);
        Assert.All(sim.Decisions, d => Assert.InRange(d.Decision.Replicas, 1, 5));
        Assert.Equal(1, sim.Last.Replicas);
    }
}
