using Serving.Autoscaling.Configuration;
using Serving.Scaler.Aggregation;
using Serving.Scaler.Feed;

namespace Serving.Scaler.Tests.Aggregation;

public sealed class RevisionAggregateTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Arrivals_right_after_a_window_is_first_named_count_in_its_rate()
    {
        // Found by the controller-scaler contract test: KEDA's first GetMetrics names a 20 s window, the held requests'
        // arrivals come in the very next tick, and the new window took them as its baseline: rps read 0 for good.
        var revision = new RevisionAggregate(new RevisionId("default", "rps", "predictor", "rps-predictor-00001"), Start);
        revision.Record(Start, 0, 0);
        var config = AutoscalingConfig.Default with { Metric = ScaleMetric.Rps, StableWindow = TimeSpan.FromSeconds(20) };
        Assert.Equal(0, revision.Value(config, 20, Start));

        revision.Record(Start.AddMilliseconds(100), 80, 80);
        revision.Record(Start.AddMilliseconds(200), 80, 0);

        Assert.True(revision.Value(config, 20, Start.AddMilliseconds(200)) > 0);
    }

    [Fact]
    public void An_outage_holds_a_light_load_where_it_was_and_keeps_the_latch()
    {
        // Light load: one request in flight at one tick in ten (0.1 on average), arrivals at every tick. The last report
        // before the outage happens to show none in flight; repeating that point sample took the value toward 0, and the
        // latch lapsed once the last arrival was older than the grace, while the traffic went on.
        var id = new RevisionId("default", "light", "predictor", "light-predictor-00001");
        var revision = new RevisionAggregate(id, Start);
        var t = Start;
        for (int tick = 0; tick < 600; tick++)
        {
            t = t.AddMilliseconds(100);
            revision.Record(t, tick % 10 == 5 ? 1 : 0, 10);
        }

        var config = AutoscalingConfig.Default;
        double before = revision.Value(config, 1, t);
        Assert.InRange(before, 0.09, 0.11);

        var grace = TimeSpan.FromSeconds(30);
        for (int tick = 0; tick < 500; tick++)
        {
            t = t.AddMilliseconds(100);
            revision.Repeat(t);
            Assert.InRange(revision.Value(config, 1, t), before * 0.8, before * 1.2);
        }

        Assert.True(revision.IsActive(t, grace), "50 s into the outage, with a 30 s grace");
    }

    [Fact]
    public void An_outage_holds_a_revision_scaled_on_requests_per_second()
    {
        // The rate had no arrivals to count during an outage: a revision scaled on rps drifted to 0 and KEDA scaled it in.
        var id = new RevisionId("default", "rps", "predictor", "rps-predictor-00001");
        var table = new RevisionTable();
        var (t, _) = HundredPerSecond(table, id, ticks: 600);

        var revision = table.Find(id)!;
        var config = AutoscalingConfig.Default with { Metric = ScaleMetric.Rps };
        Assert.InRange(revision.Value(config, 100, t), 95, 105);
        for (int tick = 0; tick < 600; tick++) // 60 s: the whole stable window
        {
            t = t.AddMilliseconds(100);
            table.Hold(t);
            Assert.InRange(revision.Value(config, 100, t), 95, 105);
        }
    }

    [Fact]
    public void The_first_read_after_an_outage_counts_its_arrivals_as_recent_not_as_a_burst()
    {
        var id = new RevisionId("default", "rate", "predictor", "rate-predictor-00001");
        var table = new RevisionTable();
        var (t, arrivals) = HundredPerSecond(table, id, ticks: 100);

        var config = AutoscalingConfig.Default with { Metric = ScaleMetric.Rps };
        for (int tick = 0; tick < 300; tick++)
        {
            t = t.AddMilliseconds(100);
            table.Hold(t);
        }

        t = t.AddMilliseconds(100);
        arrivals += 3000; // what the gateway admitted during the 30 s outage
        table.Apply(
            [
                new ReplicaReport("gateway-a", t, [new RevisionLoad(id, 0, arrivals)]),
                new ReplicaReport("gateway-b", t, [new RevisionLoad(id, 0, 2000)]), // a replica started during the outage
            ],
            t);

        var revision = table.Find(id)!;
        // Recent at this very read: a grace shorter than a tick (the hold's pause alone keeps the last arrival 100 ms old).
        Assert.True(revision.IsActive(t, TimeSpan.FromMilliseconds(50)));
        // 100/s before; the outage's 5,000 arrivals in one 100 ms tick would read as a burst (panic at target 100).
        Assert.InRange(revision.Value(config, 100, t), 0, 200);
    }

    /// <summary>Reports from one gateway every 100 ms from <see cref="Start"/>: 100 arrivals a second, none in flight.</summary>
    private static (DateTimeOffset Time, long Arrivals) HundredPerSecond(RevisionTable table, RevisionId id, int ticks)
    {
        var t = Start;
        long arrivals = 0;
        for (int tick = 0; tick < ticks; tick++)
        {
            t = t.AddMilliseconds(100);
            arrivals += 10;
            table.Apply([new ReplicaReport("gateway-a", t, [new RevisionLoad(id, 0, arrivals)])], t);
        }

        return (t, arrivals);
    }
}
