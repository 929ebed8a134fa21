using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Kpa;
using Serving.Autoscaling.Metrics;
using static Serving.Autoscaling.Tests.Infrastructure.Times;

namespace Serving.Autoscaling.Tests.Kpa;

/// <summary>The decision as a pure function: exact windowed values in, replicas out. Defaults: 70 concurrent per replica.</summary>
public sealed class KpaDeciderTests
{
    private static readonly AutoscalingConfig Defaults = AutoscalingConfig.Default;

    private static ScalerState Warm(int replicas) =>
        new() { Replicas = replicas, InitialScaleReached = true, ActiveSince = At(-600) };

    private static MetricSnapshot Load(double at, double stable, double? panic = null, double current = 0, DateTimeOffset? lastArrival = null) =>
        new(At(at), stable, panic ?? stable, 0, 0, current, lastArrival);

    private static ScaleDecision Decide(ScalerState state, MetricSnapshot metrics, int ready, AutoscalingConfig? config = null) =>
        KpaDecider.Decide(config ?? Defaults, state, metrics, ready);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(50)]
    public void Steady_load_of_n_times_the_target_keeps_n_replicas(int n)
    {
        var decision = Decide(Warm(n), Load(0, n * 70, current: n * 70), n);

        Assert.Equal(n, decision.Replicas);
        Assert.Equal(ScaleReason.Stable, decision.Reason);
        Assert.False(decision.Panicking);
        Assert.Equal(n, decision.StableReplicas);
        Assert.Equal(n * 70, decision.StableValue);
    }

    [Theory]
    [InlineData(0.01, 1)]
    [InlineData(70, 1)]
    [InlineData(70.001, 2)]
    [InlineData(140, 2)]
    [InlineData(210, 3)]
    [InlineData(211, 4)]
    public void Replicas_are_the_load_over_the_target_rounded_up(double load, int expected)
    {
        Assert.Equal(expected, Decide(Warm(expected), Load(0, load, current: load), expected).Replicas);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 6)]
    [InlineData(10, 20)]
    [InlineData(60, 100)]
    public void Scale_up_is_limited_to_max_scale_up_rate_times_the_ready_replicas(int ready, int expected)
    {
        var config = Defaults with { MaxScaleUpRate = 2 };

        Assert.Equal(expected, Decide(Warm(ready), Load(0, 7000, current: 7000), ready, config).Replicas); // 100 wanted
    }

    [Theory]
    [InlineData(10, 2, 5)]
    [InlineData(9, 2, 4)]
    [InlineData(5, 2, 2)]
    [InlineData(3, 2, 1)]
    [InlineData(2, 2, 1)]
    [InlineData(10, 4, 2)]
    public void Scale_down_is_limited_to_the_ready_replicas_over_max_scale_down_rate(int ready, double rate, int expected)
    {
        var config = Defaults with { MaxScaleDownRate = rate };
        var decision = Decide(Warm(ready), Load(0, 70, current: 70), ready, config); // 1 wanted

        Assert.Equal(expected, decision.Replicas);
        Assert.Equal(expected > 1 ? ScaleReason.ScaleDownRate : ScaleReason.Stable, decision.Reason);
    }

    [Fact]
    public void Panic_starts_when_the_panic_window_wants_twice_the_ready_replicas()
    {
        var below = Decide(Warm(4), Load(0, 280, panic: 490), 4); // panic wants 7 = 1.75 x 4
        Assert.False(below.Panicking);
        Assert.Equal(4, below.Replicas);

        var at = Decide(Warm(4), Load(0, 280, panic: 560), 4); // panic wants 8 = 2 x 4
        Assert.True(at.Panicking);
        Assert.Equal(8, at.Replicas);
        Assert.Equal(ScaleReason.Panic, at.Reason);
        Assert.Equal(At(0), at.State.PanicTriggeredAt);
    }

    [Fact]
    public void The_panic_threshold_is_configurable()
    {
        var config = Defaults with { PanicThresholdPercentage = 400 };

        Assert.False(Decide(Warm(4), Load(0, 280, panic: 1050), 4, config).Panicking); // 15 = 3.75 x 4
        Assert.True(Decide(Warm(4), Load(0, 280, panic: 1120), 4, config).Panicking);  // 16 = 4 x 4
    }

    [Fact]
    public void Panic_never_scales_down_and_ratchets_up()
    {
        var panicking = Warm(10) with { PanicTriggeredAt = At(0), PanicReplicas = 10 };

        var more = Decide(panicking, Load(10, 140, panic: 840), 10); // panic wants 12
        Assert.Equal(12, more.Replicas);

        var less = Decide(more.State, Load(20, 70, panic: 0), 12); // wants 1
        Assert.Equal(12, less.Replicas);
        Assert.True(less.Panicking);
        Assert.Equal(ScaleReason.Panic, less.Reason);
    }

    [Fact]
    public void Panic_ends_a_stable_window_after_the_load_last_crossed_the_threshold()
    {
        var panicking = Warm(10) with { PanicTriggeredAt = At(0), PanicReplicas = 10 };

        var still = Decide(panicking, Load(59.9, 70), 10);
        Assert.True(still.Panicking);
        Assert.Equal(10, still.Replicas);

        var over = Decide(panicking, Load(60, 70), 10);
        Assert.False(over.Panicking);
        Assert.Equal(0, over.State.PanicReplicas);
        Assert.Equal(5, over.Replicas); // back to the stable rules: 1 wanted, halved at most
        Assert.Equal(ScaleReason.ScaleDownRate, over.Reason);
    }

    [Fact]
    public void Panic_that_keeps_crossing_the_threshold_keeps_going()
    {
        var panicking = Warm(10) with { PanicTriggeredAt = At(0), PanicReplicas = 10 };

        var again = Decide(panicking, Load(50, 70, panic: 1400), 10); // 20 = 2 x 10: triggered again
        Assert.Equal(At(50), again.State.PanicTriggeredAt);
        Assert.True(Decide(again.State, Load(109.9, 0), 20).Panicking);
        Assert.False(Decide(again.State, Load(110, 0), 20).Panicking);
    }

    [Fact]
    public void A_decider_without_history_holds_the_running_replicas_for_a_stable_window()
    {
        // A restarted scaler has empty windows; it must not read them as "no load".
        var first = Decide(ScalerState.Initial, Load(0, 0), 5);
        Assert.Equal(5, first.Replicas);
        Assert.True(first.Panicking);

        Assert.Equal(5, Decide(first.State, Load(59, 0), 5).Replicas);
        Assert.Equal(2, Decide(first.State, Load(60, 0), 5).Replicas);
    }

    [Fact]
    public void Scales_to_zero_only_after_the_grace_period_with_nothing_wanted()
    {
        var first = Decide(Warm(1), Load(0, 0), 1);
        Assert.Equal(1, first.Replicas);
        Assert.Equal(ScaleReason.ScaleToZeroPending, first.Reason);
        Assert.Equal(At(0), first.State.IdleSince);

        var before = Decide(first.State, Load(29.9, 0), 1);
        Assert.Equal(1, before.Replicas);

        var after = Decide(before.State, Load(30, 0), 1);
        Assert.Equal(0, after.Replicas);
        Assert.Equal(ScaleReason.Zero, after.Reason);
        Assert.Null(after.State.ActiveSince);

        var stays = Decide(after.State, Load(500, 0), 0);
        Assert.Equal(0, stays.Replicas);
    }

    [Fact]
    public void The_pod_retention_period_lengthens_the_wait_for_zero()
    {
        var config = Defaults with { ScaleToZeroPodRetentionPeriod = TimeSpan.FromSeconds(90) };
        var first = Decide(Warm(1), Load(0, 0), 1, config);

        Assert.Equal(1, Decide(first.State, Load(89.9, 0), 1, config).Replicas);
        Assert.Equal(0, Decide(first.State, Load(90, 0), 1, config).Replicas);
    }

    [Fact]
    public void Load_during_the_grace_period_restarts_it()
    {
        var idle = Decide(Warm(1), Load(0, 0), 1);
        var busy = Decide(idle.State, Load(20, 1, current: 1), 1);
        Assert.Null(busy.State.IdleSince);

        var idleAgain = Decide(busy.State, Load(40, 0), 1);
        Assert.Equal(1, Decide(idleAgain.State, Load(69.9, 0), 1).Replicas);
        Assert.Equal(0, Decide(idleAgain.State, Load(70, 0), 1).Replicas);
    }

    [Fact]
    public void Never_scales_to_zero_while_a_request_is_in_flight_or_held()
    {
        var idleLongAgo = Warm(1) with { IdleSince = At(-600) };

        var decision = Decide(idleLongAgo, Load(0, 0, current: 1), 1);

        Assert.Equal(1, decision.Replicas);
        Assert.Equal(ScaleReason.Activity, decision.Reason);
        Assert.True(decision.IsActive);
    }

    [Fact]
    public void Never_scales_to_zero_within_the_grace_period_of_an_arrival()
    {
        var idleLongAgo = Warm(1) with { IdleSince = At(-600) };

        Assert.Equal(1, Decide(idleLongAgo, Load(0, 0, lastArrival: At(-29.9)), 1).Replicas);
        Assert.Equal(0, Decide(idleLongAgo, Load(0, 0, lastArrival: At(-30)), 1).Replicas);
    }

    [Fact]
    public void A_replica_still_starting_waits_out_the_grace_period_like_a_ready_one()
    {
        // Asked for at the last decision, not ready yet, and the request that woke it is gone.
        var starting = Warm(1) with { IdleSince = At(0) };

        var decision = Decide(starting, Load(10, 0), 0);

        Assert.Equal(1, decision.Replicas);
        Assert.Equal(ScaleReason.ScaleToZeroPending, decision.Reason);
    }

    [Fact]
    public void A_freshly_activated_revision_keeps_its_replica_for_a_stable_window()
    {
        var activated = new ScalerState { Replicas = 1, InitialScaleReached = true, ActiveSince = At(0), IdleSince = At(0) };

        var graceOver = Decide(activated, Load(30, 0), 1);
        Assert.Equal(1, graceOver.Replicas);
        Assert.Equal(ScaleReason.ScaleToZeroPending, graceOver.Reason);

        Assert.Equal(0, Decide(activated, Load(60, 0), 1).Replicas);
    }

    [Fact]
    public void Min_scale_is_respected_without_load()
    {
        var config = Defaults with { MinScale = 2 };

        var decision = Decide(Warm(2) with { IdleSince = At(-3600) }, Load(0, 0), 2, config);

        Assert.Equal(2, decision.Replicas);
        Assert.Equal(ScaleReason.MinScale, decision.Reason);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(0, 50)]
    [InlineData(80, 50)]
    public void Max_scale_clamps_and_zero_means_unbounded(int maxScale, int expected)
    {
        var config = Defaults with { MaxScale = maxScale };

        var decision = Decide(Warm(50), Load(0, 50 * 70, current: 50 * 70), 50, config);

        Assert.Equal(expected, decision.Replicas);
        Assert.Equal(expected < 50 ? ScaleReason.MaxScale : ScaleReason.Stable, decision.Reason);
    }

    [Fact]
    public void Max_scale_also_clamps_panic()
    {
        var config = Defaults with { MaxScale = 5 };

        var decision = Decide(Warm(1), Load(0, 70, panic: 1400, current: 100), 1, config);

        Assert.True(decision.Panicking);
        Assert.Equal(5, decision.Replicas);
    }

    [Fact]
    public void A_request_at_zero_yields_a_replica_at_once()
    {
        var atZero = new ScalerState { Replicas = 0, InitialScaleReached = true, IdleSince = At(-600) };

        var idle = Decide(atZero, Load(0, 0), 0);
        Assert.Equal(0, idle.Replicas);

        var held = Decide(atZero, Load(0, 1.0 / 60, panic: 1.0 / 6, current: 1, lastArrival: At(0)), 0);
        Assert.Equal(1, held.Replicas);
        Assert.Equal(At(0), held.State.ActiveSince);
        Assert.Null(held.State.IdleSince);
    }

    [Fact]
    public void An_arrival_at_zero_that_was_never_seen_in_flight_still_activates()
    {
        var atZero = new ScalerState { Replicas = 0, InitialScaleReached = true, IdleSince = At(-600) };

        var decision = Decide(atZero, Load(0, 0, lastArrival: At(0)), 0);

        Assert.Equal(1, decision.Replicas);
        Assert.Equal(ScaleReason.Activity, decision.Reason);
    }

    [Fact]
    public void Activation_scale_is_the_fewest_replicas_whenever_there_are_any()
    {
        var config = Defaults with { ActivationScale = 3 };
        var atZero = new ScalerState { Replicas = 0, InitialScaleReached = true, IdleSince = At(-600) };

        var activated = Decide(atZero, Load(0, 0, current: 1), 0, config);
        Assert.Equal(3, activated.Replicas);
        Assert.Equal(ScaleReason.ActivationScale, activated.Reason);

        Assert.Equal(3, Decide(Warm(3), Load(0, 70, current: 70), 3, config).Replicas);
        Assert.Equal(4, Decide(Warm(4), Load(0, 280, current: 280), 4, config).Replicas);
        Assert.Equal(2, Decide(Warm(3), Load(0, 0, current: 1), 3, config with { MaxScale = 2 }).Replicas);
    }

    [Fact]
    public void A_new_revision_gets_initial_scale_until_that_many_replicas_have_been_ready()
    {
        var config = Defaults with { InitialScale = 3 };

        var created = Decide(ScalerState.Initial, Load(0, 0), 0, config);
        Assert.Equal(3, created.Replicas);
        Assert.Equal(ScaleReason.InitialScale, created.Reason);

        var starting = Decide(created.State, Load(2, 0), 1, config);
        Assert.Equal(3, starting.Replicas);
        Assert.False(starting.State.InitialScaleReached);

        var reached = Decide(starting.State, Load(4, 0), 3, config);
        Assert.True(reached.State.InitialScaleReached);
        Assert.Equal(1, reached.Replicas); // no load: halved at most, then the scale-to-zero wait
    }

    [Fact]
    public void Rps_scales_on_the_request_rate()
    {
        var config = Defaults with { Metric = ScaleMetric.Rps, Target = 10 }; // 7 per replica
        var metrics = new MetricSnapshot(At(0), StableConcurrency: 1, PanicConcurrency: 1, StableRps: 70, PanicRps: 70,
            CurrentConcurrency: 1, LastArrival: At(0));

        var decision = KpaDecider.Decide(config, Warm(10), metrics, 10);

        Assert.Equal(10, decision.Replicas);
        Assert.Equal(70, decision.StableValue);
    }
}
