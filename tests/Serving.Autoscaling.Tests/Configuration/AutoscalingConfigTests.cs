using Serving.Autoscaling.Configuration;

namespace Serving.Autoscaling.Tests.Configuration;

public sealed class AutoscalingConfigTests
{
    [Fact]
    public void Defaults_are_knatives()
    {
        // reference/autoscaling.md §3.4 (and KServe's minReplicas default of 1 applies only through FromKServe).
        var c = AutoscalingConfig.Default;

        Assert.Equal(ScaleMetric.Concurrency, c.Metric);
        Assert.Null(c.Target);
        Assert.Equal(0, c.ContainerConcurrency);
        Assert.Equal(100, c.ContainerConcurrencyTargetDefault);
        Assert.Equal(200, c.RequestsPerSecondTargetDefault);
        Assert.Equal(70, c.TargetUtilizationPercentage);
        Assert.Equal(TimeSpan.FromSeconds(60), c.StableWindow);
        Assert.Equal(10, c.PanicWindowPercentage);
        Assert.Equal(TimeSpan.FromSeconds(6), c.PanicWindow);
        Assert.Equal(200, c.PanicThresholdPercentage);
        Assert.Equal(2.0, c.PanicThreshold);
        Assert.Equal(1000, c.MaxScaleUpRate);
        Assert.Equal(2, c.MaxScaleDownRate);
        Assert.Equal(TimeSpan.FromSeconds(30), c.ScaleToZeroGracePeriod);
        Assert.Equal(TimeSpan.Zero, c.ScaleToZeroPodRetentionPeriod);
        Assert.Equal(0, c.MinScale);
        Assert.Equal(0, c.MaxScale);
        Assert.Equal(1, c.InitialScale);
        Assert.Equal(1, c.ActivationScale);
        Assert.Equal(TimeSpan.FromSeconds(1), AutoscalingConfig.BucketSize);
        Assert.Equal(70, c.TargetPerReplica); // 100 x 70%
    }

    [Theory]
    [InlineData("concurrency", null, 0, 100, 70)]  // container-concurrency-target-default
    [InlineData("concurrency", 5.0, 0, 5, 3.5)]    // the walkthrough's scaleTarget
    [InlineData("concurrency", null, 8, 8, 5.6)]   // the hard limit is the target when none is set
    [InlineData("concurrency", 50.0, 10, 10, 7)]   // the smaller of target and limit
    [InlineData("concurrency", 4.0, 10, 4, 2.8)]
    [InlineData("rps", null, 0, 200, 140)]         // requests-per-second-target-default
    [InlineData("rps", 50.0, 10, 50, 35)]          // the limit caps concurrency only
    [InlineData("concurrency", 0.001, 0, 0.001, 0.01)] // never below 0.01
    public void The_target_per_replica_is_knatives(string metric, double? target, int containerConcurrency, double total, double perReplica)
    {
        var config = AutoscalingConfig.Default with
        {
            Metric = metric == "rps" ? ScaleMetric.Rps : ScaleMetric.Concurrency,
            Target = target,
            ContainerConcurrency = containerConcurrency,
        };

        Assert.Equal(total, config.TotalTarget, 12);
        Assert.Equal(perReplica, config.TargetPerReplica, 12);
    }

    [Theory]
    [InlineData(60, 10, 6)]
    [InlineData(60, 25, 15)]
    [InlineData(6, 10, 1)]  // 0.6 s: at least one bucket
    [InlineData(120, 1, 1.2)]
    public void The_panic_window_is_a_share_of_the_stable_window(int stableSeconds, double percentage, double panicSeconds)
    {
        var config = AutoscalingConfig.Default with { StableWindow = TimeSpan.FromSeconds(stableSeconds), PanicWindowPercentage = percentage };

        Assert.Equal(TimeSpan.FromSeconds(panicSeconds), config.PanicWindow);
    }

    [Fact]
    public void The_wait_for_zero_is_the_longer_of_grace_and_retention()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), AutoscalingConfig.Default.ScaleToZeroDelay);
        Assert.Equal(TimeSpan.FromSeconds(90), (AutoscalingConfig.Default with { ScaleToZeroPodRetentionPeriod = TimeSpan.FromSeconds(90) }).ScaleToZeroDelay);
    }
}
