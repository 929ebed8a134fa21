using System.Globalization;
using Serving.Autoscaling.Configuration;

namespace Serving.Autoscaling.Tests.Configuration;

public sealed class AutoscalingConfigParserTests
{
    private static Dictionary<string, string> Annotations(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    private static AutoscalingConfigException Rejected(Action parse) => Assert.Throws<AutoscalingConfigException>(parse);

    [Fact]
    public void No_annotations_give_the_defaults()
    {
        Assert.Equal(AutoscalingConfig.Default, AutoscalingConfigParser.FromAnnotations(null));
        Assert.Equal(AutoscalingConfig.Default, AutoscalingConfigParser.FromAnnotations(Annotations()));
    }

    [Fact]
    public void A_kserve_component_without_scaling_fields_gets_one_replica_at_least()
    {
        // KServe's minReplicas defaults to 1; the rest is Knative's.
        var config = AutoscalingConfigParser.FromKServe(new KServeScaling());

        Assert.Equal(AutoscalingConfig.Default with { MinScale = 1 }, config);
    }

    [Theory]
    [InlineData("autoscaling.knative.dev/target", "12.5", nameof(AutoscalingConfig.Target), "12.5")]
    [InlineData("autoscaling.knative.dev/metric", "rps", nameof(AutoscalingConfig.Metric), "Rps")]
    [InlineData("autoscaling.knative.dev/metric", "concurrency", nameof(AutoscalingConfig.Metric), "Concurrency")]
    [InlineData("autoscaling.knative.dev/target-utilization-percentage", "85", nameof(AutoscalingConfig.TargetUtilizationPercentage), "85")]
    [InlineData("autoscaling.knative.dev/window", "1m30s", nameof(AutoscalingConfig.StableWindow), "00:01:30")]
    [InlineData("autoscaling.knative.dev/window", "6s", nameof(AutoscalingConfig.StableWindow), "00:00:06")]
    [InlineData("autoscaling.knative.dev/window", "1h", nameof(AutoscalingConfig.StableWindow), "01:00:00")]
    [InlineData("autoscaling.knative.dev/panic-window-percentage", "20", nameof(AutoscalingConfig.PanicWindowPercentage), "20")]
    [InlineData("autoscaling.knative.dev/panic-threshold-percentage", "150", nameof(AutoscalingConfig.PanicThresholdPercentage), "150")]
    [InlineData("autoscaling.knative.dev/max-scale-up-rate", "10", nameof(AutoscalingConfig.MaxScaleUpRate), "10")]
    [InlineData("autoscaling.knative.dev/max-scale-down-rate", "1.5", nameof(AutoscalingConfig.MaxScaleDownRate), "1.5")]
    [InlineData("autoscaling.knative.dev/scale-to-zero-pod-retention-period", "1m5s", nameof(AutoscalingConfig.ScaleToZeroPodRetentionPeriod), "00:01:05")]
    [InlineData("autoscaling.knative.dev/min-scale", "2", nameof(AutoscalingConfig.MinScale), "2")]
    [InlineData("autoscaling.knative.dev/max-scale", "7", nameof(AutoscalingConfig.MaxScale), "7")]
    [InlineData("autoscaling.knative.dev/initial-scale", "3", nameof(AutoscalingConfig.InitialScale), "3")]
    [InlineData("autoscaling.knative.dev/initial-scale", "0", nameof(AutoscalingConfig.InitialScale), "0")]
    [InlineData("autoscaling.knative.dev/activation-scale", "2", nameof(AutoscalingConfig.ActivationScale), "2")]
    public void Each_annotation_sets_its_setting(string key, string value, string property, string expected)
    {
        var config = AutoscalingConfigParser.FromAnnotations(Annotations((key, value)));

        var setting = typeof(AutoscalingConfig).GetProperty(property)!;
        Assert.Equal(expected, Convert.ToString(setting.GetValue(config), CultureInfo.InvariantCulture));
        Assert.Equal(AutoscalingConfig.Default, Reset(config, property, setting.GetValue(AutoscalingConfig.Default))); // nothing else moved
    }

    [Fact]
    public void Cluster_defaults_are_the_base_annotations_apply_to()
    {
        var cluster = AutoscalingConfig.Default with { ScaleToZeroGracePeriod = TimeSpan.FromMinutes(2), ContainerConcurrencyTargetDefault = 10 };

        var config = AutoscalingConfigParser.FromAnnotations(Annotations(("autoscaling.knative.dev/min-scale", "1")), cluster);

        Assert.Equal(cluster with { MinScale = 1 }, config);
        Assert.Equal(7, config.TargetPerReplica);
    }

    [Fact]
    public void Kserve_fields_map_to_the_knative_settings()
    {
        var config = AutoscalingConfigParser.FromKServe(new KServeScaling
        {
            MinReplicas = 0,
            MaxReplicas = 5,
            ScaleTarget = 5,
            ScaleMetric = "concurrency",
            ContainerConcurrency = 8,
        });

        Assert.Equal(0, config.MinScale);
        Assert.Equal(5, config.MaxScale);
        Assert.Equal(5, config.Target);
        Assert.Equal(ScaleMetric.Concurrency, config.Metric);
        Assert.Equal(8, config.ContainerConcurrency);
        Assert.Equal(3.5, config.TargetPerReplica);
    }

    [Fact]
    public void Kserve_rps_scaling_maps_to_an_rps_target()
    {
        var config = AutoscalingConfigParser.FromKServe(new KServeScaling { ScaleMetric = "rps", ScaleTarget = 20 });

        Assert.Equal(ScaleMetric.Rps, config.Metric);
        Assert.Equal(14, config.TargetPerReplica, 12);
    }

    [Fact]
    public void Kserve_fields_win_over_the_annotations_they_become()
    {
        var config = AutoscalingConfigParser.FromKServe(
            new KServeScaling { ScaleTarget = 5, ScaleMetric = "concurrency" },
            Annotations(("autoscaling.knative.dev/target", "50"), ("autoscaling.knative.dev/metric", "rps")));

        Assert.Equal(5, config.Target);
        Assert.Equal(ScaleMetric.Concurrency, config.Metric);
    }

    [Fact]
    public void Target_and_metric_annotations_apply_when_the_fields_are_absent()
    {
        var config = AutoscalingConfigParser.FromKServe(
            new KServeScaling(),
            Annotations(("autoscaling.knative.dev/target", "50"), ("autoscaling.knative.dev/metric", "rps")));

        Assert.Equal(50, config.Target);
        Assert.Equal(ScaleMetric.Rps, config.Metric);
    }

    [Fact]
    public void Min_and_max_scale_annotations_on_an_inference_service_are_replaced_by_the_replica_fields()
    {
        // KServe strips user-written min-scale/max-scale (the walkthrough's fraud-score writes min-scale "1").
        var config = AutoscalingConfigParser.FromKServe(
            new KServeScaling { MaxReplicas = 0 },
            Annotations(("autoscaling.knative.dev/min-scale", "0"), ("autoscaling.knative.dev/max-scale", "not even a number")));

        Assert.Equal(1, config.MinScale);
        Assert.Equal(0, config.MaxScale);
    }

    [Fact]
    public void Initial_scale_zero_on_an_inference_service_is_dropped_as_kserve_does()
    {
        var config = AutoscalingConfigParser.FromKServe(new KServeScaling(), Annotations(("autoscaling.knative.dev/initial-scale", "0")));

        Assert.Equal(1, config.InitialScale);
    }

    [Fact]
    public void Annotations_outside_the_autoscaler_are_ignored()
    {
        var config = AutoscalingConfigParser.FromAnnotations(Annotations(
            ("serving.kserve.io/deploymentMode", "Serverless"),
            ("autoscaling.knative.dev/class", "kpa.autoscaling.knative.dev")));

        Assert.Equal(AutoscalingConfig.Default, config);
    }

    [Theory]
    [InlineData("autoscaling.knative.dev/panic-threshold-percentage", "abc", "is not a number; expected a percentage from 110 to 1000")]
    [InlineData("autoscaling.knative.dev/panic-threshold-percentage", "100", "is out of range; expected a percentage from 110 to 1000")]
    [InlineData("autoscaling.knative.dev/panic-threshold-percentage", "1001", "is out of range; expected a percentage from 110 to 1000")]
    [InlineData("autoscaling.knative.dev/panic-window-percentage", "0.5", "is out of range; expected a percentage from 1 to 100")]
    [InlineData("autoscaling.knative.dev/target", "0", "is out of range; expected a number of at least 0.01")]
    [InlineData("autoscaling.knative.dev/target", "ten", "is not a number; expected a number of at least 0.01")]
    [InlineData("autoscaling.knative.dev/target", "NaN", "is not a number; expected a number of at least 0.01")]
    [InlineData("autoscaling.knative.dev/metric", "cpu", "is not a supported metric; expected concurrency or rps")]
    [InlineData("autoscaling.knative.dev/metric", "RPS", "is not a supported metric; expected concurrency or rps")]
    [InlineData("autoscaling.knative.dev/target-utilization-percentage", "120", "is out of range; expected a percentage from 1 to 100")]
    [InlineData("autoscaling.knative.dev/window", "5s", "is out of range; expected a duration from 6s to 1h in whole seconds, such as 60s")]
    [InlineData("autoscaling.knative.dev/window", "61m", "is out of range; expected a duration from 6s to 1h in whole seconds, such as 60s")]
    [InlineData("autoscaling.knative.dev/window", "6.5s", "is out of range; expected a duration from 6s to 1h in whole seconds, such as 60s")]
    [InlineData("autoscaling.knative.dev/window", "60", "is not a duration; expected a duration from 6s to 1h in whole seconds, such as 60s")]
    [InlineData("autoscaling.knative.dev/max-scale-up-rate", "1", "is out of range; expected a number above 1")]
    [InlineData("autoscaling.knative.dev/max-scale-down-rate", "fast", "is not a number; expected a number above 1")]
    [InlineData("autoscaling.knative.dev/scale-to-zero-pod-retention-period", "-5s", "is out of range; expected a duration of at least 0s, such as 1m30s")]
    [InlineData("autoscaling.knative.dev/scale-to-zero-pod-retention-period", "soon", "is not a duration; expected a duration of at least 0s, such as 1m30s")]
    [InlineData("autoscaling.knative.dev/min-scale", "-1", "is out of range; expected an integer of at least 0")]
    [InlineData("autoscaling.knative.dev/max-scale", "1.5", "is not an integer; expected an integer of at least 0 (0 = unbounded)")]
    [InlineData("autoscaling.knative.dev/initial-scale", "many", "is not an integer; expected an integer of at least 0")]
    [InlineData("autoscaling.knative.dev/activation-scale", "1", "is out of range; expected an integer of at least 2")]
    public void A_bad_annotation_is_named_with_its_value_and_what_was_expected(string key, string value, string problem)
    {
        var error = Rejected(() => AutoscalingConfigParser.FromAnnotations(Annotations((key, value))));

        Assert.Equal([new AutoscalingConfigError(key, value, problem)], error.Errors);
        Assert.Equal($"{key}: \"{value}\" {problem}", error.Message);
    }

    [Fact]
    public void The_example_from_the_issue_reads_well()
    {
        var error = Rejected(() => AutoscalingConfigParser.FromKServe(
            new KServeScaling(), Annotations(("autoscaling.knative.dev/panic-threshold-percentage", "abc"))));

        Assert.Equal(
            "autoscaling.knative.dev/panic-threshold-percentage: \"abc\" is not a number; expected a percentage from 110 to 1000",
            error.Message);
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once()
    {
        var error = Rejected(() => AutoscalingConfigParser.FromAnnotations(Annotations(
            ("autoscaling.knative.dev/window", "forever"),
            ("autoscaling.knative.dev/target", "-3"))));

        Assert.Equal(["autoscaling.knative.dev/target", "autoscaling.knative.dev/window"], error.Errors.Select(e => e.Key).Order());
        Assert.Contains("autoscaling.knative.dev/window: \"forever\" is not a duration", error.Message, StringComparison.Ordinal);
        Assert.Contains("autoscaling.knative.dev/target: \"-3\" is out of range", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Min_scale_above_max_scale_is_rejected()
    {
        var error = Rejected(() => AutoscalingConfigParser.FromAnnotations(Annotations(
            ("autoscaling.knative.dev/min-scale", "3"), ("autoscaling.knative.dev/max-scale", "2"))));

        Assert.Equal("autoscaling.knative.dev/max-scale: \"2\" is less than autoscaling.knative.dev/min-scale (3)", error.Message);
    }

    [Fact]
    public void Activation_scale_above_max_scale_is_rejected()
    {
        var error = Rejected(() => AutoscalingConfigParser.FromAnnotations(Annotations(
            ("autoscaling.knative.dev/activation-scale", "4"), ("autoscaling.knative.dev/max-scale", "3"))));

        Assert.Equal("autoscaling.knative.dev/activation-scale: \"4\" is greater than autoscaling.knative.dev/max-scale (3)", error.Message);
    }

    [Theory]
    [InlineData(-1, 0, null, null, null, "minReplicas: \"-1\" cannot be less than 0")]
    [InlineData(null, -1, null, null, null, "maxReplicas: \"-1\" cannot be less than 0")]
    [InlineData(4, 3, null, null, null, "minReplicas: \"4\" cannot be greater than maxReplicas (3)")]
    [InlineData(null, 0, 0, null, null, "scaleTarget: \"0\" must be at least 1")]
    [InlineData(null, 0, null, "cpu", null, "scaleMetric: \"cpu\" is not supported in serverless mode; expected concurrency or rps")]
    [InlineData(null, 0, null, "memory", null, "scaleMetric: \"memory\" is not supported in serverless mode; expected concurrency or rps")]
    [InlineData(null, 0, null, null, -1L, "containerConcurrency: \"-1\" must be from 0 (no limit) to 1000")]
    [InlineData(null, 0, null, null, 1001L, "containerConcurrency: \"1001\" must be from 0 (no limit) to 1000")]
    public void A_bad_kserve_field_is_named_with_its_value(int? min, int max, int? target, string? metric, long? containerConcurrency, string message)
    {
        var error = Rejected(() => AutoscalingConfigParser.FromKServe(new KServeScaling
        {
            MinReplicas = min,
            MaxReplicas = max,
            ScaleTarget = target,
            ScaleMetric = metric,
            ContainerConcurrency = containerConcurrency,
        }));

        Assert.Equal(message, error.Message);
    }

    private static AutoscalingConfig Reset(AutoscalingConfig config, string property, object? value)
    {
        var copy = config with { };
        typeof(AutoscalingConfig).GetProperty(property)!.SetValue(copy, value);
        return copy;
    }
}
