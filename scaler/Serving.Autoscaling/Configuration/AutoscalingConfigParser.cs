using System.Globalization;
using static Serving.Autoscaling.Configuration.AutoscalingAnnotations;

namespace Serving.Autoscaling.Configuration;

/// <summary>
/// Turns a KServe component's scaling fields and its Knative annotations into an <see cref="AutoscalingConfig"/>.
/// Ranges are Knative's; every bad value is reported (key, value, what was expected), none is silently dropped.
/// </summary>
public static class AutoscalingConfigParser
{
    private static readonly IReadOnlyDictionary<string, string> NoAnnotations = new Dictionary<string, string>();

    /// <summary>
    /// KServe's serverless mapping (<c>SetAutoScalingAnnotations</c>): <c>scaleTarget</c> and <c>scaleMetric</c> win
    /// over the annotations they become, <c>min-scale</c>/<c>max-scale</c> come only from <c>minReplicas</c> (default 1)
    /// and <c>maxReplicas</c> (0 = unbounded) because KServe strips user-written ones, and <c>initial-scale: "0"</c> is
    /// dropped as KServe does while Knative's <c>allow-zero-initial-scale</c> is off.
    /// </summary>
    /// <exception cref="AutoscalingConfigException">Any field or annotation is invalid.</exception>
    public static AutoscalingConfig FromKServe(
        KServeScaling component, IReadOnlyDictionary<string, string>? annotations = null, AutoscalingConfig? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(component);
        var errors = new List<AutoscalingConfigError>();
        var effective = new Dictionary<string, string>(annotations ?? NoAnnotations, StringComparer.Ordinal);
        effective.Remove(MinScale);
        effective.Remove(MaxScale);

        int min = component.MinReplicas ?? 1; // KServe constants.DefaultMinReplicas
        int max = component.MaxReplicas;
        if (min < 0)
        {
            errors.Add(new("minReplicas", Text(min), "cannot be less than 0"));
        }

        if (max < 0)
        {
            errors.Add(new("maxReplicas", Text(max), "cannot be less than 0"));
        }
        else if (max != 0 && min > max)
        {
            errors.Add(new("minReplicas", Text(min), $"cannot be greater than maxReplicas ({Text(max)})"));
        }

        if (errors.Count == 0)
        {
            effective[MinScale] = Text(min);
            if (max != 0)
            {
                effective[MaxScale] = Text(max);
            }
        }

        if (component.ScaleMetric is { } metric)
        {
            effective.Remove(Metric);
            if (metric is "concurrency" or "rps")
            {
                effective[Metric] = metric;
            }
            else
            {
                errors.Add(new("scaleMetric", metric, "is not supported in serverless mode; expected concurrency or rps"));
            }
        }

        if (component.ScaleTarget is { } target)
        {
            effective.Remove(Target);
            if (target >= 1)
            {
                effective[Target] = Text(target);
            }
            else
            {
                errors.Add(new("scaleTarget", Text(target), "must be at least 1"));
            }
        }

        int containerConcurrency = 0;
        if (component.ContainerConcurrency is { } cc)
        {
            if (cc is < 0 or > 1000)
            {
                // 1000 is Knative's container-concurrency-max-limit.
                errors.Add(new("containerConcurrency", Text(cc), "must be from 0 (no limit) to 1000"));
            }
            else
            {
                containerConcurrency = (int)cc;
            }
        }

        if (effective.TryGetValue(InitialScale, out string? initial) && initial.Trim() == "0")
        {
            effective.Remove(InitialScale);
        }

        var config = Parse(effective, (defaults ?? AutoscalingConfig.Default) with { ContainerConcurrency = containerConcurrency }, errors);
        return errors.Count == 0 ? config : throw new AutoscalingConfigException(errors);
    }

    /// <summary>Knative revision annotations over <paramref name="defaults"/> (the cluster's settings; Knative's if null).</summary>
    /// <exception cref="AutoscalingConfigException">Any annotation is invalid.</exception>
    public static AutoscalingConfig FromAnnotations(IReadOnlyDictionary<string, string>? annotations, AutoscalingConfig? defaults = null)
    {
        var errors = new List<AutoscalingConfigError>();
        var config = Parse(annotations ?? NoAnnotations, defaults ?? AutoscalingConfig.Default, errors);
        return errors.Count == 0 ? config : throw new AutoscalingConfigException(errors);
    }

    private static AutoscalingConfig Parse(
        IReadOnlyDictionary<string, string> annotations, AutoscalingConfig defaults, List<AutoscalingConfigError> errors)
    {
        var read = new Reader(annotations, errors);
        var config = defaults with
        {
            Metric = read.Metric() ?? defaults.Metric,
            Target = read.Number(Target, 0.01, double.MaxValue, "a number of at least 0.01") ?? defaults.Target,
            TargetUtilizationPercentage = read.Number(TargetUtilizationPercentage, 1, 100, "a percentage from 1 to 100")
                ?? defaults.TargetUtilizationPercentage,
            StableWindow = read.Duration(Window, TimeSpan.FromSeconds(6), TimeSpan.FromHours(1), wholeSeconds: true,
                "a duration from 6s to 1h in whole seconds, such as 60s") ?? defaults.StableWindow,
            PanicWindowPercentage = read.Number(PanicWindowPercentage, 1, 100, "a percentage from 1 to 100")
                ?? defaults.PanicWindowPercentage,
            PanicThresholdPercentage = read.Number(PanicThresholdPercentage, 110, 1000, "a percentage from 110 to 1000")
                ?? defaults.PanicThresholdPercentage,
            MaxScaleUpRate = read.Number(MaxScaleUpRate, 1, double.MaxValue, "a number above 1", aboveMin: true)
                ?? defaults.MaxScaleUpRate,
            MaxScaleDownRate = read.Number(MaxScaleDownRate, 1, double.MaxValue, "a number above 1", aboveMin: true)
                ?? defaults.MaxScaleDownRate,
            ScaleToZeroPodRetentionPeriod = read.Duration(ScaleToZeroPodRetentionPeriod, TimeSpan.Zero, TimeSpan.MaxValue,
                wholeSeconds: false, "a duration of at least 0s, such as 1m30s") ?? defaults.ScaleToZeroPodRetentionPeriod,
            MinScale = read.Integer(MinScale, 0, "an integer of at least 0") ?? defaults.MinScale,
            MaxScale = read.Integer(MaxScale, 0, "an integer of at least 0 (0 = unbounded)") ?? defaults.MaxScale,
            InitialScale = read.Integer(InitialScale, 0, "an integer of at least 0") ?? defaults.InitialScale,
            ActivationScale = read.Integer(ActivationScale, 2, "an integer of at least 2") ?? defaults.ActivationScale,
        };

        if (config.MaxScale != 0 && config.MinScale > config.MaxScale)
        {
            errors.Add(new(MaxScale, Text(config.MaxScale), $"is less than {MinScale} ({Text(config.MinScale)})"));
        }

        if (config.MaxScale != 0 && config.ActivationScale > config.MaxScale)
        {
            errors.Add(new(ActivationScale, Text(config.ActivationScale), $"is greater than {MaxScale} ({Text(config.MaxScale)})"));
        }

        return config;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class Reader(IReadOnlyDictionary<string, string> annotations, List<AutoscalingConfigError> errors)
    {
        public ScaleMetric? Metric()
        {
            if (!annotations.TryGetValue(AutoscalingAnnotations.Metric, out string? value))
            {
                return null;
            }

            switch (value.Trim())
            {
                case "concurrency":
                    return ScaleMetric.Concurrency;
                case "rps":
                    return ScaleMetric.Rps;
                default:
                    errors.Add(new(AutoscalingAnnotations.Metric, value, "is not a supported metric; expected concurrency or rps"));
                    return null;
            }
        }

        public double? Number(string key, double min, double max, string expected, bool aboveMin = false)
        {
            if (!annotations.TryGetValue(key, out string? value))
            {
                return null;
            }

            if (!double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || !double.IsFinite(n))
            {
                return Fail<double>(key, value, $"is not a number; expected {expected}");
            }

            return (aboveMin ? n > min : n >= min) && n <= max ? n : Fail<double>(key, value, $"is out of range; expected {expected}");
        }

        public int? Integer(string key, int min, string expected)
        {
            if (!annotations.TryGetValue(key, out string? value))
            {
                return null;
            }

            if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n))
            {
                return Fail<int>(key, value, $"is not an integer; expected {expected}");
            }

            return n >= min ? n : Fail<int>(key, value, $"is out of range; expected {expected}");
        }

        public TimeSpan? Duration(string key, TimeSpan min, TimeSpan max, bool wholeSeconds, string expected)
        {
            if (!annotations.TryGetValue(key, out string? value))
            {
                return null;
            }

            if (!GoDuration.TryParse(value, out var d))
            {
                return Fail<TimeSpan>(key, value, $"is not a duration; expected {expected}");
            }

            return d >= min && d <= max && (!wholeSeconds || d.Ticks % TimeSpan.TicksPerSecond == 0)
                ? d
                : Fail<TimeSpan>(key, value, $"is out of range; expected {expected}");
        }

        private T? Fail<T>(string key, string value, string problem)
            where T : struct
        {
            errors.Add(new(key, value, problem));
            return null;
        }
    }
}
