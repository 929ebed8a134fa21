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
}
