using Serving.Autoscaling.Configuration;
using Serving.Autoscaling.Metrics;
using static Serving.Autoscaling.Tests.Infrastructure.Times;

namespace Serving.Autoscaling.Tests.Metrics;

public sealed class RevisionMetricsTests
{
    private static readonly TimeSpan Grace = AutoscalingConfig.Default.ScaleToZeroGracePeriod;

    private static RevisionMetrics Metrics() => new(AutoscalingConfig.Default);

    [Fact]
    public void Concurrency_averages_are_totals_for_the_revision()
    {
        var metrics = Metrics();
        for (int i = 0; i <= 600; i++)
        {
            metrics.Record(new(At(i * 0.1), i < 540 ? 20 : 50, 0));
        }

        var snapshot = metrics.Snapshot(At(60));
        Assert.Equal(23.5, snapshot.StableConcurrency, 12); // buckets 1..60: (53 x 20 + 7 x 50) / 60
        Assert.Equal(50, snapshot.PanicConcurrency, 12);
        Assert.Equal(50, snapshot.CurrentConcurrency);
    }

    [Fact]
    public void Requests_per_second_come_from_differences_of_the_arrival_count()
    {
        var metrics = Metrics();
        for (int i = 0; i <= 600; i++)
        {
            metrics.Record(new(At(i * 0.1), 1, i * 5L)); // 50 per second
        }

        var snapshot = metrics.Snapshot(At(60));
        Assert.Equal(50, snapshot.StableRps, 9);
        Assert.Equal(50, snapshot.PanicRps, 9);
        Assert.Equal(50, snapshot.Stable(ScaleMetric.Rps), 9);
        Assert.Equal(1, snapshot.Stable(ScaleMetric.Concurrency), 9);
    }

    [Fact]
    public void Arrivals_between_two_distant_readings_are_spread_over_the_gap()
    {
        var metrics = Metrics();
        metrics.Record(new(At(0), 0, 0));
        metrics.Record(new(At(10), 0, 100));

        var snapshot = metrics.Snapshot(At(10));
        Assert.Equal(10, snapshot.StableRps, 12);
        Assert.Equal(10, snapshot.PanicRps, 12);
    }

    [Fact]
    public void An_arrival_count_that_goes_down_counts_no_arrivals_for_that_interval()
    {
        var metrics = Metrics();
        metrics.Record(new(At(0), 0, 0));
        metrics.Record(new(At(10), 0, 100)); // 10/s over buckets 0..9
        metrics.Record(new(At(11), 0, 40));  // a gateway replica restarted: bucket 10 counts 0
        metrics.Record(new(At(12), 0, 50));  // bucket 11: 10/s

        var snapshot = metrics.Snapshot(At(12));
        Assert.Equal(110.0 / 12, snapshot.StableRps, 12);
        Assert.Equal(50.0 / 6, snapshot.PanicRps, 12);
    }

    [Fact]
    public void A_hold_keeps_both_stable_averages_where_they_were_and_the_next_reading_counts_from_the_last_real_one()
    {
        // Light, uneven load: 1 in flight at one tick in ten, 50 arrivals a second. Without a hold's own values the
        // windows drifted to 0 within an outage (concurrency from the last point sample, the rate from no arrivals).
        var metrics = Metrics();
        for (int i = 0; i <= 600; i++)
        {
            metrics.Record(new(At(i * 0.1), i % 10 == 5 ? 1 : 0, i * 5L));
        }

        var before = metrics.Snapshot(At(60));
        Assert.InRange(before.StableConcurrency, 0.095, 0.105);
        Assert.Equal(50, before.StableRps, 9);
        for (int i = 601; i <= 1200; i++) // a 60 s outage: the whole stable window
        {
            metrics.Hold(At(i * 0.1));
            var held = metrics.Snapshot(At(i * 0.1));
            Assert.InRange(held.StableConcurrency, before.StableConcurrency * 0.95, before.StableConcurrency * 1.05);
            Assert.InRange(held.StableRps, 47.5, 52.5);
            Assert.InRange(held.PanicRps, 47.5, 52.5);
        }

        // Back: the 3,000 arrivals of the outage have no known time. The first reading takes them as a baseline (in
        // one 100 ms interval they would read as 30,000/s and panic); they still count as a recent arrival.
        metrics.Record(new(At(120.1), 0, (600 * 5L) + 3000));
        var back = metrics.Snapshot(At(120.1));
        Assert.InRange(back.PanicRps, 40, 52.5);
        Assert.Equal(At(120.1), back.LastArrival);
        metrics.Record(new(At(121.1), 0, (600 * 5L) + 3050));
        Assert.InRange(metrics.Snapshot(At(121.1)).PanicRps, 40, 52.5); // 50/s again; the held seconds fill the rest
    }

    [Fact]
    public void A_hold_before_any_reading_or_not_after_the_newest_does_nothing()
    {
        var metrics = Metrics();
        metrics.Hold(At(1));
        Assert.Equal(default, metrics.Snapshot(At(1)) with { Time = default });

        // A reading whose concurrency (10) is not its stable average (5): a hold that ran would show.
        metrics.Record(new(At(1), 0, 0));
        metrics.Record(new(At(2), 10, 10));
        var before = metrics.Snapshot(At(2));
        Assert.Equal((5, 10), (before.StableConcurrency, before.CurrentConcurrency));
        metrics.Hold(At(2));
        metrics.Hold(At(1.5));
        Assert.Equal(before, metrics.Snapshot(At(2)));
    }

    [Fact]
    public void A_reading_older_than_the_newest_is_ignored()
    {
        var metrics = Metrics();
        Assert.True(metrics.Record(new(At(5), 4, 0)));
        Assert.False(metrics.Record(new(At(4), 100, 0)));
        Assert.Equal(4, metrics.Snapshot(At(5)).StableConcurrency);
    }

    [Fact]
    public void The_newest_reading_stands_for_now_until_it_ages_out_of_the_stable_window()
    {
        var metrics = Metrics();
        metrics.Record(new(At(0), 3, 0));

        Assert.Equal(3, metrics.Snapshot(At(59.9)).CurrentConcurrency);
        Assert.Equal(0, metrics.Snapshot(At(60)).CurrentConcurrency);
    }

    [Fact]
    public void Negative_or_infinite_concurrency_is_refused()
    {
        var metrics = Metrics();
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.Record(new(At(0), -1, 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.Record(new(At(0), double.PositiveInfinity, 0)));
    }

    [Fact]
    public void Active_while_a_request_is_in_flight_however_long_ago_it_arrived()
    {
        var metrics = Metrics();
        metrics.Record(new(At(0), 0, 0));
        metrics.Record(new(At(1), 1, 1));
        metrics.Record(new(At(100), 1, 1));

        Assert.True(metrics.Snapshot(At(100)).IsActive(Grace));

        metrics.Record(new(At(101), 0, 1));
        Assert.False(metrics.Snapshot(At(101)).IsActive(Grace));
    }

    [Fact]
    public void A_request_too_short_to_be_seen_in_flight_latches_activity_for_the_grace_period()
    {
        var metrics = Metrics();
        metrics.Record(new(At(0), 0, 0));
        metrics.Record(new(At(1), 0, 1));

        Assert.Equal(0, metrics.Snapshot(At(1)).StableConcurrency);
        Assert.Equal(At(1), metrics.Snapshot(At(1)).LastArrival);
        Assert.True(metrics.Snapshot(At(1)).IsActive(Grace));
        Assert.True(metrics.Snapshot(At(30.9)).IsActive(Grace));
        Assert.False(metrics.Snapshot(At(31)).IsActive(Grace));
    }

    [Fact]
    public void A_revision_with_no_request_is_inactive()
    {
        var metrics = Metrics();
        metrics.Record(new(At(0), 0, 0));
        metrics.Record(new(At(1), 0, 0));

        Assert.Null(metrics.Snapshot(At(1)).LastArrival);
        Assert.False(metrics.Snapshot(At(1)).IsActive(Grace));
    }

    [Fact]
    public void Arrivals_counted_before_the_first_reading_are_taken_as_recent()
    {
        // A scaler that restarts must not see a busy revision as idle.
        var metrics = Metrics();
        metrics.Record(new(At(0), 0, 500));

        Assert.True(metrics.Snapshot(At(29)).IsActive(Grace));
        Assert.Equal(0, metrics.Snapshot(At(29)).StableRps);
    }

    [Fact]
    public void Arrivals_in_a_reading_at_the_same_instant_join_the_next_interval()
    {
        var metrics = Metrics();
        metrics.Record(new(At(0), 0, 0));
        metrics.Record(new(At(0), 0, 10));
        metrics.Record(new(At(2), 0, 10));

        Assert.Equal(5, metrics.Snapshot(At(2)).StableRps, 12);
        Assert.Equal(At(0), metrics.Snapshot(At(2)).LastArrival);
    }
}
