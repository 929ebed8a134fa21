using Serving.Autoscaling.Windows;
using static Serving.Autoscaling.Tests.Infrastructure.Times;

namespace Serving.Autoscaling.Tests.Windows;

public sealed class BucketedWindowTests
{
    private static BucketedWindow Window(int seconds) => new(TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(1));

    [Fact]
    public void A_full_window_averages_its_per_bucket_values()
    {
        var window = Window(60);
        for (int i = 0; i < 60; i++)
        {
            window.Add(At(i), i);
        }

        Assert.Equal(29.5, window.Average(At(59.5), 60)); // mean of 0..59
        Assert.Equal(56.5, window.Average(At(59.5), 6));  // mean of 54..59
    }

    [Fact]
    public void Samples_in_one_bucket_are_averaged_not_summed()
    {
        var window = Window(60);
        for (int i = 0; i < 10; i++)
        {
            window.Add(At(i * 0.1), 20);
            window.Add(At(1 + (i * 0.1)), 10);
        }

        window.Add(At(2.2), 4);
        window.Add(At(2.7), 6);

        Assert.Equal(35.0 / 3, window.Average(At(2.9), 60), 12); // (20 + 10 + 5) / 3
    }

    [Fact]
    public void Seconds_without_a_sample_count_as_zero()
    {
        var window = Window(10);
        for (int i = 0; i < 5; i++)
        {
            window.Add(At(i), 10);
        }

        window.Add(At(9), 10);

        Assert.Equal(6, window.Average(At(9.5), 10)); // (5 x 10 + 4 x 0 + 10) / 10
    }

    [Fact]
    public void A_young_window_averages_only_since_its_first_sample()
    {
        var window = Window(60);
        window.Add(At(0), 30);

        Assert.Equal(30, window.Average(At(0.5), 60));
        Assert.Equal(15, window.Average(At(2.5), 60)); // buckets 0 and 1; bucket 2 is still filling
    }

    [Fact]
    public void The_bucket_now_falls_in_counts_once_it_has_a_sample()
    {
        var window = Window(60);
        for (int i = 0; i < 6; i++)
        {
            window.Add(At(i), 10);
        }

        Assert.Equal(10, window.Average(At(6), 6)); // buckets 0..5

        window.Add(At(6), 0);
        Assert.Equal(50.0 / 6, window.Average(At(6), 6)); // buckets 1..6
    }

    [Fact]
    public void Buckets_expire_after_the_window()
    {
        var window = Window(6);
        window.Add(At(0), 12);

        Assert.Equal(2, window.Average(At(6.5), 6)); // buckets 0..5, only 0 has data
        Assert.Equal(0, window.Average(At(7.5), 6));
    }

    [Fact]
    public void A_write_long_after_the_last_clears_the_reused_buckets()
    {
        var window = Window(6);
        for (int i = 0; i < 6; i++)
        {
            window.Add(At(i), 12);
        }

        window.Add(At(100), 6);

        Assert.Equal(1, window.Average(At(100.5), 6)); // buckets 95..100: only the new sample, nothing left over
    }

    [Fact]
    public void The_panic_window_reads_the_same_buckets_as_the_stable_one()
    {
        var window = Window(60);
        for (int i = 0; i < 60; i++)
        {
            window.Add(At(i), i < 54 ? 10 : 40);
        }

        Assert.Equal(13, window.Average(At(59.5), 60)); // (54 x 10 + 6 x 40) / 60
        Assert.Equal(40, window.Average(At(59.5), 6));
    }

    [Fact]
    public void A_rate_span_is_spread_over_the_seconds_it_covers()
    {
        var window = Window(60);
        window.AddSpan(At(0), At(10), 5);

        Assert.Equal(5, window.Average(At(10), 60)); // buckets 0..9
        Assert.Equal(5, window.Average(At(10), 6));

        window.AddSpan(At(10), At(10.5), 8);
        window.AddSpan(At(10.5), At(11), 4);
        Assert.Equal(31.0 / 6, window.Average(At(11), 6), 12); // buckets 5..10, bucket 10 = (8 + 4) / 2
    }

    [Fact]
    public void A_span_is_weighted_by_how_much_of_a_bucket_it_covers()
    {
        var window = Window(60);
        window.AddSpan(At(0), At(0.8), 10);
        window.AddSpan(At(0.8), At(1), 0);

        Assert.Equal(8, window.Average(At(1), 60), 12);
    }

    [Fact]
    public void A_span_longer_than_the_window_keeps_only_the_part_inside_it()
    {
        var window = Window(6);
        window.AddSpan(At(0), At(100), 3);

        Assert.Equal(3, window.Average(At(100), 6)); // buckets 94..99
        Assert.Equal(1.5, window.Average(At(103), 6), 12); // buckets 97..102: 3 of 6 had the span
    }

    [Fact]
    public void An_empty_window_averages_to_zero()
    {
        Assert.Equal(0, Window(60).Average(At(5), 60));
    }
}
