using System.Text.Json.Nodes;
using Serving.TestCluster.Keda;

namespace Serving.TestCluster.Tests.Keda;

/// <summary>The HPA arithmetic the stand-in applies, against the figures of shared/reference/autoscaling.md §1.4.</summary>
public sealed class HorizontalScalingTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Desired_is_ceil_of_the_sum_over_the_target_within_min_and_max()
    {
        var hpa = new HorizontalScaling(0.1, TimeSpan.Zero);
        Assert.Equal(4, hpa.Sync(1, 1, [(20, 5)], min: 1, max: 6, behavior: null, Start));
        Assert.Equal(6, hpa.Sync(4, 4, [(50, 5)], min: 1, max: 6, behavior: null, Start.AddSeconds(1)));
        Assert.Equal(1, hpa.Sync(6, 6, [(0, 5)], min: 1, max: 6, behavior: null, Start.AddSeconds(2)));
    }

    [Fact]
    public void Within_the_tolerance_nothing_changes_and_at_zero_the_HPA_is_disabled()
    {
        var hpa = new HorizontalScaling(0.1, TimeSpan.Zero);
        Assert.Null(hpa.Sync(4, 4, [(21, 5)], min: 1, max: 10, behavior: null, Start)); // ratio 1.05
        Assert.Null(hpa.Sync(0, 0, [(100, 5)], min: 1, max: 10, behavior: null, Start)); // KEDA owns 0 <-> 1
    }

    [Fact]
    public void With_behavior_defaults_95_pending_at_target_10_go_1_to_5_then_10_fifteen_seconds_later()
    {
        // §1.4's worked example: scale-up policies 4 pods or 100% per 15 s, whichever is more.
        var behavior = HpaBehavior.From(new JsonObject(), TimeSpan.FromMinutes(5));
        var hpa = new HorizontalScaling(0.1, TimeSpan.FromMinutes(5));
        Assert.Equal(5, hpa.Sync(1, 1, [(95, 10)], 1, 100, behavior, Start));
        Assert.Null(hpa.Sync(5, 5, [(95, 10)], 1, 100, behavior, Start.AddSeconds(5))); // still inside the 15 s period
        Assert.Equal(10, hpa.Sync(5, 5, [(95, 10)], 1, 100, behavior, Start.AddSeconds(16)));
    }

    [Fact]
    public void Scale_down_waits_for_the_stabilization_window()
    {
        var hpa = new HorizontalScaling(0.1, TimeSpan.FromSeconds(300));
        Assert.Equal(4, hpa.Sync(1, 1, [(20, 5)], 1, 6, null, Start));
        Assert.Null(hpa.Sync(4, 4, [(0, 5)], 1, 6, null, Start.AddSeconds(100)));
        Assert.Equal(1, hpa.Sync(4, 4, [(0, 5)], 1, 6, null, Start.AddSeconds(301)));
    }
}
