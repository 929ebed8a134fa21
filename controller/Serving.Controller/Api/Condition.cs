using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api;

/// <summary>Knative's duck-typed condition (<c>knative.dev/pkg/apis.Condition</c>), which KServe status uses.</summary>
public sealed record Condition
{
    [JsonPropertyName("type")]
    public string Type { get; init; } = "";

    /// <summary><c>True</c>, <c>False</c> or <c>Unknown</c>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = ConditionStatus.Unknown;

    [JsonPropertyName("severity")]
    public string? Severity { get; init; }

    [JsonPropertyName("lastTransitionTime")]
    public string? LastTransitionTime { get; init; }

    [JsonPropertyName("reason")]
    public string? Reason { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }
}

public static class ConditionStatus
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";
}
