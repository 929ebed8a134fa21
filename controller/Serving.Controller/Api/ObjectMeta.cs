using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Serving.Controller.Api.Schema;

namespace Serving.Controller.Api;

/// <summary>Kubernetes <c>metadata</c>; fields not modelled here (ownerReferences, finalizers…) survive in <see cref="ExtensionData"/>.</summary>
[PassThroughFields(FieldSet.ObjectMeta)]
public sealed record ObjectMeta
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("namespace")]
    public string? Namespace { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    [JsonPropertyName("annotations")]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("generation")]
    public long? Generation { get; init; }

    [JsonPropertyName("uid")]
    public string? Uid { get; init; }

    [JsonPropertyName("resourceVersion")]
    public string? ResourceVersion { get; init; }

    /// <summary>RFC 3339 text as the API server writes it; kept as text so that it round-trips byte for byte.</summary>
    [JsonPropertyName("creationTimestamp")]
    public string? CreationTimestamp { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; init; }

    /// <summary>A time as the API server writes it (<c>metav1.Time</c>): RFC 3339 in UTC, to the second.</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The namespace; <c>default</c> when it names none (as the API server defaults it).</summary>
    public string NamespaceOrDefault() => string.IsNullOrEmpty(Namespace) ? "default" : Namespace;

    public string? Annotation(string key) =>
        Annotations is not null && Annotations.TryGetValue(key, out string? value) ? value : null;

    public ObjectMeta WithAnnotation(string key, string value)
    {
        var annotations = Annotations is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(Annotations, StringComparer.Ordinal);
        annotations[key] = value;
        return this with { Annotations = annotations };
    }
}
