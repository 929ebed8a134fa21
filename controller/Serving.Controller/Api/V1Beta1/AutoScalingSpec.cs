using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api.V1Beta1;

/// <summary><c>autoScaling</c>: the HPA/KEDA metric form (kserve-api.md §8.3).</summary>
public sealed record AutoScalingSpec
{
    [JsonPropertyName("metrics")]
    public IReadOnlyList<MetricsSpec>? Metrics { get; init; }

    [JsonPropertyName("behavior")]
    public JsonElement? Behavior { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record MetricsSpec
{
    public const string ResourceType = "Resource";
    public const string ExternalType = "External";
    public const string PodMetricType = "PodMetric";

    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    [JsonPropertyName("resource")]
    public ResourceMetricSource? Resource { get; init; }

    [JsonPropertyName("external")]
    public ExternalMetricSource? External { get; init; }

    [JsonPropertyName("podmetric")]
    public PodMetricSource? PodMetric { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record ResourceMetricSource
{
    /// <summary><c>cpu</c> or <c>memory</c>.</summary>
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("target")]
    public MetricTarget Target { get; init; } = new();

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record ExternalMetricSource
{
    [JsonPropertyName("metric")]
    public ExternalMetrics Metric { get; init; } = new();

    [JsonPropertyName("authenticationRef")]
    public JsonElement? AuthenticationRef { get; init; }

    [JsonPropertyName("target")]
    public MetricTarget Target { get; init; } = new();

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record PodMetricSource
{
    [JsonPropertyName("metric")]
    public PodMetrics Metric { get; init; } = new();

    [JsonPropertyName("target")]
    public MetricTarget Target { get; init; } = new();

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record ExternalMetrics
{
    [JsonPropertyName("backend")]
    public string? Backend { get; init; }

    [JsonPropertyName("serverAddress")]
    public string? ServerAddress { get; init; }

    [JsonPropertyName("query")]
    public string? Query { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public sealed record PodMetrics
{
    [JsonPropertyName("backend")]
    public string? Backend { get; init; }

    [JsonPropertyName("serverAddress")]
    public string? ServerAddress { get; init; }

    [JsonPropertyName("metricNames")]
    public IReadOnlyList<string>? MetricNames { get; init; }

    [JsonPropertyName("query")]
    public string? Query { get; init; }

    [JsonPropertyName("operationOverTime")]
    public string? OperationOverTime { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

/// <summary>A metric target; quantities are kept as text (<c>averageValue: 100Mi</c>).</summary>
public sealed record MetricTarget
{
    public const string Utilization = "Utilization";
    public const string Value = "Value";
    public const string AverageValue = "AverageValue";

    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("value")]
    [Quantity]
    public string? TargetValue { get; init; }

    [JsonPropertyName("averageValue")]
    [Quantity]
    public string? TargetAverageValue { get; init; }

    [JsonPropertyName("averageUtilization")]
    public int? AverageUtilization { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}
