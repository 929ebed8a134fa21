using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Kpa;
using Serving.Autoscaling.Tests.Infrastructure;

namespace Serving.Autoscaling.Tests.Kpa;

/// <summary>
/// Samples every 100 ms through the windows into decisions every 2 s, on virtual time (see <see cref="Simulation"/>).
/// Defaults: 70 concurrent per replica, 60 s stable and 6 s panic windows.
/// </summary>
public sealed class ScalingScenarioTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Steady_load_of_n_times_the_target_settles_at_n_replicas(int n)
    {
        var sim = new Simulation(AutoscalingConfig.Default) { Concurrency = n * 70, Rps = 10 };

        sim.RunUntil(180);

        Assert.Equal(n, sim.Last.Replicas);
        Assert.Equal(n, sim.Ready);
        Assert.False(sim.Last.Panicking);
        Assert.Equal(n * 70, sim.Last.StableValue, 9);
    }

    [Fact]
    public void A_ramp_up_doubles_per_decision_at_max_scale_up_rate_two()
    {
        var sim = new Simulation(AutoscalingConfig.Default with { MaxScaleUpRate = 2 }) { Concurrency = 7000 }; // 100 wanted

        sim.RunUntil(16);

        Assert.Equal([2, 4, 8, 16, 32, 64, 100, 100, 100], sim.Decisions.Select(d => d.Decision.Replicas));
    }

    [Fact]
    public void Scale_down_follows_the_stable_window()
    {
        // Ten replicas busy, then a tenth of the load: the 60 s average comes down one bucket at a time, so the count
        // falls with it (ceil((591 - 9m) / 60) m seconds after the drop) and reaches one only after a full window.
        var sim = new Simulation(AutoscalingConfig.Default, ready: 10) { Concurrency = 700 };
        sim.RunUntil(119.9);
        Assert.Equal(10, sim.Last.Replicas);

        sim.Concurrency = 70;
        sim.RunUntil(200);

        int[] expected = [10, 10, 10, 9, 9, 9, 9, 8, 8, 8, 7, 7, 7, 6, 6, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 3, 3, 2, 2, 2, 1];
        Assert.Equal(expected, sim.Decisions.Where(d => d.Second >= 120 && d.Second <= 180).Select(d => d.Decision.Replicas));
        Assert.All(sim.Decisions.Where(d => d.Second >= 120), d => Assert.False(d.Decision.Panicking));
        Assert.Equal(1, sim.Last.Replicas);
    }

    [Fact]
    public void A_burst_enters_panic_scales_up_fast_holds_through_the_panic_and_exits_a_stable_window_later()
    {
        var sim = new Simulation(AutoscalingConfig.Default, ready: 1) { Concurrency = 70 };
        sim.RunUntil(59.9);
        Assert.Equal(1, sim.Last.Replicas);
        Assert.False(sim.Last.Panicking);

        sim.Concurrency = 700; // ten times one replica's target, for 10 s
        sim.RunUntil(69.9);
        sim.Concurrency = 0;
        sim.RunUntil(130);

        // 60 s: panic window (55..60) = 175 -> 3 wanted = 3 x 1 ready: panic. 62 s: 385 -> 6 = 2 x 3 ready: panic again.
        // From then on the panic window wants less than twice the ready replicas, so the last trigger is at 62 s.
        Assert.Equal((3, true), Outcome(sim, 60));
        Assert.Equal((6, true), Outcome(sim, 62));
        Assert.Equal((9, true), Outcome(sim, 64));
        Assert.Equal((10, true), Outcome(sim, 66));
        Assert.Equal(At(62), sim.DecisionAt(120).State.PanicTriggeredAt);
        Assert.All(sim.Decisions.Where(d => d.Second is >= 66 and <= 120), d => Assert.Equal((10, true), (d.Decision.Replicas, d.Decision.Panicking)));

        // 122 s: a stable window after the last trigger. The stable window still holds 7 busy seconds (2 wanted), but
        // one decision halves at most.
        var exit = sim.DecisionAt(122);
        Assert.False(exit.Panicking);
        Assert.Equal(5, exit.Replicas);
        Assert.Equal(ScaleReason.ScaleDownRate, exit.Reason);
    }

    [Fact]
    public void A_stable_window_is_slow_to_react_where_panic_is_not()
    {
        var config = AutoscalingConfig.Default with { PanicThresholdPercentage = 1000 }; // panic out of reach
        var sim = new Simulation(config, ready: 1) { Concurrency = 70 };
        sim.RunUntil(59.9);

        sim.Concurrency = 700;
        sim.RunUntil(66);

        Assert.False(sim.Last.Panicking);
        Assert.Equal(3, sim.Last.Replicas); // stable (53 x 70 + 7 x 700) / 60 = 143.5 -> 3, where panic had 10
    }

    [Fact]
    public void After_the_load_the_revision_goes_to_zero_a_window_plus_the_grace_period_later()
    {
        var sim = new Simulation(AutoscalingConfig.Default) { Concurrency = 70, Rps = 10 };
        sim.RunUntil(99.9);
        sim.Concurrency = 0;
        sim.Rps = 0;
        sim.RunUntil(200);

        // The last busy bucket (99) leaves the stable window at 160 s; the grace period runs from there.
        Assert.Equal((1, ScaleReason.Stable), (sim.DecisionAt(158).Replicas, sim.DecisionAt(158).Reason));
        Assert.Equal((1, ScaleReason.ScaleToZeroPending), (sim.DecisionAt(160).Replicas, sim.DecisionAt(160).Reason));
        Assert.Equal(1, sim.DecisionAt(188).Replicas);
        Assert.Equal((0, ScaleReason.Zero), (sim.DecisionAt(190).Replicas, sim.DecisionAt(190).Reason));
        Assert.Equal(0, sim.Last.Replicas);
    }

    [Fact]
    public void A_held_request_at_zero_gets_a_replica_without_waiting_for_a_tick()
    {
        var sim = new Simulation(AutoscalingConfig.Default);
        sim.RunUntil(300);
        Assert.Equal(1, sim.DecisionAt(58).Replicas); // initial scale, kept a stable window
        Assert.Equal(0, sim.DecisionAt(60).Replicas);
        Assert.False(sim.Autoscaler.IsActive());

        // The activator holds a request and pokes the autoscaler at once (between ticks).
        sim.Autoscaler.Record(concurrency: 1, arrivals: 1);
        var decision = sim.Autoscaler.Decide(readyReplicas: 0);

        Assert.Equal(1, decision.Replicas);
        Assert.True(decision.IsActive);
        Assert.True(sim.Autoscaler.IsActive());
        Assert.Equal(decision.State, sim.Autoscaler.State);
    }

    [Fact]
    public void Twenty_held_requests_at_zero_are_scaled_out_within_seconds_by_panic()
    {
        var sim = new Simulation(AutoscalingConfig.Default with { Target = 5 }); // 3.5 per replica
        sim.RunUntil(120);
        Assert.Equal(0, sim.Last.Replicas);

        sim.Concurrency = 20;
        sim.RunUntil(130);

        // 122 s: panic window 117..122 = (18 + 20 + 20) / 6 -> 3 wanted >= 2 x 1: panic; then 5, then ceil(20 / 3.5).
        Assert.Equal([3, 5, 6, 6, 6], sim.Decisions.Where(d => d.Second > 120).Select(d => d.Decision.Replicas));
        Assert.All(sim.Decisions.Where(d => d.Second > 120), d => Assert.True(d.Decision.Panicking));
    }

    [Fact]
    public void Rps_drives_replicas_from_the_arrival_count()
    {
        var config = AutoscalingConfig.Default with { Metric = ScaleMetric.Rps }; // 200 x 70% = 140 per replica
        var sim = new Simulation(config) { Concurrency = 1, Rps = 700 };

        sim.RunUntil(120);

        Assert.Equal(5, sim.Last.Replicas);
        Assert.Equal(700, sim.Last.StableValue, 9);
        Assert.Equal(700, sim.Autoscaler.Snapshot().StableRps, 9);
        Assert.Equal(1, sim.Autoscaler.Snapshot().StableConcurrency, 9);
    }

    private static (int Replicas, bool Panicking) Outcome(Simulation sim, double second) =>
        (sim.DecisionAt(second).Replicas, sim.DecisionAt(second).Panicking);

    private static DateTimeOffset At(double seconds) => Times.At(seconds);
}
