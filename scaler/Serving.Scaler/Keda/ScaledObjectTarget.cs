using System.Globalization;
using Serving.Autoscaling.Configuration;
using Serving.Scaler.Feed;

namespace Serving.Scaler.Keda;

/// <summary>
/// What a ScaledObject's trigger asks the scaler about, read from its metadata: the component (all its revisions) or
/// one revision, the metric, the per-replica target, and the KPA windows. Everything comes from the metadata, which
/// the controller writes from the InferenceService, so every scaler replica answers the same without shared state.
/// </summary>
/// <param name="Component">The InferenceService component.</param>
/// <param name="Revision">One revision, or null for every revision of the component.</param>
/// <param name="Config">The revision's autoscaling settings (windows, panic threshold, grace).</param>
/// <param name="Target">Per-replica target KEDA divides by (<c>targetSizeFloat</c>); never 0.</param>
/// <param name="MetricName">The single metric this trigger has.</param>
public sealed record ScaledObjectTarget(ComponentId Component, string? Revision, AutoscalingConfig Config, double Target, string MetricName)
{
    public const string InferenceServiceKey = "inferenceService";
    public const string ComponentKey = "component";
    public const string RevisionKey = "revision";
    public const string MetricKey = "metric";
    public const string TargetValueKey = "targetValue";
    public const string ScaleMetricKey = "scaleMetric";
    public const string ScaleTargetKey = "scaleTarget";
    public const string ContainerConcurrencyKey = "containerConcurrency";

    /// <summary>KEDA's own key: where the external scaler listens (<c>host:port</c>).</summary>
    public const string ScalerAddressKey = "scalerAddress";

    /// <summary>KEDA's own key: dial the scaler over TLS. The scaler does not read it (nor any key it does not know).</summary>
    public const string EnableTlsKey = "enableTLS";

    private static readonly string[] Components = ["predictor", "transformer", "explainer"];

    public ScaleMetric Metric => Config.Metric;

    /// <summary>How long an arrival keeps the target active (the KPA's scale-to-zero grace).</summary>
    public TimeSpan Grace => Config.ScaleToZeroDelay;

    /// <exception cref="ScalerException">A key is missing or wrong; the message names it.</exception>
    public static ScaledObjectTarget Parse(string? @namespace, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (string.IsNullOrWhiteSpace(@namespace))
        {
            throw Invalid("ScaledObjectRef.namespace is empty");
        }

        string service = Required(metadata, InferenceServiceKey);
        string component = Required(metadata, ComponentKey);
        if (!Components.Contains(component, StringComparer.Ordinal))
        {
            throw Invalid($"scalerMetadata key '{ComponentKey}' is '{component}'; expected predictor, transformer or explainer");
        }

        string? revision = metadata.GetValueOrDefault(RevisionKey);
        if (revision is not null && string.IsNullOrWhiteSpace(revision))
        {
            throw Invalid($"scalerMetadata key '{RevisionKey}' is empty; leave it out to scale on every revision");
        }

        var config = ReadConfig(metadata);
        if (metadata.TryGetValue(MetricKey, out string? metric))
        {
            config = config with
            {
                Metric = metric switch
                {
                    "concurrency" => ScaleMetric.Concurrency,
                    "rps" => ScaleMetric.Rps,
                    _ => throw Invalid($"scalerMetadata key '{MetricKey}' is '{metric}'; expected concurrency or rps"),
                },
            };
        }

        double target = config.TotalTarget;
        if (metadata.TryGetValue(TargetValueKey, out string? value))
        {
            target = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && double.IsFinite(t) && t > 0
                ? t
                : throw Invalid($"scalerMetadata key '{TargetValueKey}' is '{value}'; expected a number above 0");
        }

        string metricName = MetricNames.Sanitize(
            $"{revision ?? $"{service}-{component}"}-{(config.Metric == ScaleMetric.Rps ? "rps" : "concurrency")}");
        return new ScaledObjectTarget(new ComponentId(@namespace, service, component), revision, config, target, metricName);
    }

    /// <summary>
    /// The trigger metadata a ScaledObject carries for <see cref="Parse"/> to read back: the writer of the contract lives
    /// with its reader. The controller calls it when it writes a revision's ScaledObject.
    /// </summary>
    /// <param name="annotations">The revision's <c>autoscaling.knative.dev/*</c> annotations (others are left out).</param>
    /// <param name="enableTls">KEDA dials the scaler over TLS (<c>enableTLS: "true"</c>).</param>
    public static IReadOnlyDictionary<string, string> Metadata(
        string scalerAddress, string inferenceService, string component, string? revision, KServeScaling scaling,
        IReadOnlyDictionary<string, string> annotations, bool enableTls = false)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        ArgumentNullException.ThrowIfNull(annotations);
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ScalerAddressKey] = scalerAddress,
            [InferenceServiceKey] = inferenceService,
            [ComponentKey] = component,
        };
        if (enableTls)
        {
            metadata[EnableTlsKey] = "true";
        }

        if (revision is not null)
        {
            metadata[RevisionKey] = revision;
        }

        if (scaling.ScaleMetric is { } metric)
        {
            metadata[ScaleMetricKey] = metric;
        }

        if (scaling.ScaleTarget is { } target)
        {
            metadata[ScaleTargetKey] = target.ToString(CultureInfo.InvariantCulture);
        }

        if (scaling.ContainerConcurrency is { } concurrency and > 0)
        {
            metadata[ContainerConcurrencyKey] = concurrency.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in annotations)
        {
            if (key.StartsWith(AutoscalingAnnotations.Prefix, StringComparison.Ordinal))
            {
                metadata[key] = value;
            }
        }

        return metadata;
    }

    /// <summary>
    /// KServe's fields (<c>scaleMetric</c>, <c>scaleTarget</c>, <c>containerConcurrency</c>) and the revision's
    /// <c>autoscaling.knative.dev/*</c> annotations, read by the KPA library's parser exactly as the local mode reads them.
    /// </summary>
    private static AutoscalingConfig ReadConfig(IReadOnlyDictionary<string, string> metadata)
    {
        var annotations = metadata.Where(p => p.Key.StartsWith(AutoscalingAnnotations.Prefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var scaling = new KServeScaling
        {
            ScaleMetric = metadata.GetValueOrDefault(ScaleMetricKey),
            ScaleTarget = Integer(metadata, ScaleTargetKey),
            ContainerConcurrency = Integer(metadata, ContainerConcurrencyKey),
        };
        try
        {
            return AutoscalingConfigParser.FromKServe(scaling, annotations);
        }
        catch (AutoscalingConfigException e)
        {
            throw Invalid($"scalerMetadata: {e.Message}");
        }
    }

    private static int? Integer(IReadOnlyDictionary<string, string> metadata, string key) =>
        !metadata.TryGetValue(key, out string? value) ? null
        : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n
        : throw Invalid($"scalerMetadata key '{key}' is '{value}'; expected an integer");

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out string? value) && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw Invalid($"scalerMetadata key '{key}' is missing");

    private static ScalerException Invalid(string message) => new(ScalerError.InvalidMetadata, message);
}
