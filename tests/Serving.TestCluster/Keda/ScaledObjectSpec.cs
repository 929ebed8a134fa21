using System.Globalization;
using System.Text.Json.Nodes;

namespace Serving.TestCluster.Keda;

/// <summary>A trigger's <c>authenticationRef</c>: a TriggerAuthentication (the default kind) or a ClusterTriggerAuthentication.</summary>
public sealed record AuthenticationRef(string Name, string Kind);

/// <summary>One trigger of a ScaledObject: its type, metadata (what KEDA hands the external scaler) and authentication.</summary>
public sealed record ScaledObjectTrigger(string Type, IReadOnlyDictionary<string, string> Metadata, AuthenticationRef? Authentication = null)
{
    public bool IsExternal => Type is "external" or "external-push";

    public bool IsPush => Type == "external-push";

    /// <summary>KEDA's <c>scalerAddress</c> (host:port).</summary>
    public string? ScalerAddress => Metadata.GetValueOrDefault("scalerAddress");
}

/// <summary>
/// The fields of a <c>keda.sh/v1alpha1</c> ScaledObject the stand-in acts on, with KEDA's defaults
/// (<c>apis/keda/v1alpha1</c>, <c>executor/scale_executor.go</c>): pollingInterval 30 s, cooldownPeriod 300 s,
/// initialCooldownPeriod 0, minReplicaCount 0, maxReplicaCount 100.
/// </summary>
public sealed record ScaledObjectSpec(
    string Namespace,
    string Name,
    string Uid,
    long Generation,
    DateTimeOffset Created,
    string TargetApiVersion,
    string TargetKind,
    string TargetName,
    int MinReplicas,
    int MaxReplicas,
    int? IdleReplicas,
    TimeSpan PollingInterval,
    TimeSpan CooldownPeriod,
    TimeSpan InitialCooldownPeriod,
    JsonNode? HpaBehavior,
    IReadOnlyList<ScaledObjectTrigger> Triggers)
{
    /// <summary>The HPA KEDA creates never goes below one (<c>GetHPAMinReplicas</c>): KEDA alone owns zero.</summary>
    public int HpaMinReplicas => Math.Max(1, MinReplicas);

    public string Key => $"{Namespace}/{Name}";

    public static ScaledObjectSpec Parse(JsonObject scaledObject)
    {
        ArgumentNullException.ThrowIfNull(scaledObject);
        var metadata = scaledObject["metadata"]!;
        var spec = scaledObject["spec"]!;
        var target = spec["scaleTargetRef"]!;
        return new ScaledObjectSpec(
            metadata["namespace"]!.GetValue<string>(),
            metadata["name"]!.GetValue<string>(),
            metadata["uid"]?.GetValue<string>() ?? "",
            metadata["generation"]?.GetValue<long>() ?? 0,
            DateTimeOffset.Parse(metadata["creationTimestamp"]?.GetValue<string>() ?? "1970-01-01T00:00:00Z", CultureInfo.InvariantCulture),
            target["apiVersion"]?.GetValue<string>() ?? "apps/v1",
            target["kind"]?.GetValue<string>() ?? "Deployment",
            target["name"]!.GetValue<string>(),
            spec["minReplicaCount"]?.GetValue<int>() ?? 0,
            spec["maxReplicaCount"]?.GetValue<int>() ?? 100,
            spec["idleReplicaCount"]?.GetValue<int>(),
            TimeSpan.FromSeconds(spec["pollingInterval"]?.GetValue<int>() ?? 30),
            TimeSpan.FromSeconds(spec["cooldownPeriod"]?.GetValue<int>() ?? 300),
            TimeSpan.FromSeconds(spec["initialCooldownPeriod"]?.GetValue<int>() ?? 0),
            spec["advanced"]?["horizontalPodAutoscalerConfig"]?["behavior"]?.DeepClone(),
            [
                .. spec["triggers"]?.AsArray().Select(t => new ScaledObjectTrigger(
                    t!["type"]!.GetValue<string>(),
                    t["metadata"]?.AsObject().ToDictionary(m => m.Key, m => m.Value?.ToString() ?? "", StringComparer.Ordinal)
                        ?? new Dictionary<string, string>(StringComparer.Ordinal),
                    t["authenticationRef"] is { } reference
                        ? new AuthenticationRef(reference["name"]!.GetValue<string>(), reference["kind"]?.GetValue<string>() ?? TriggerAuthentications.Kind)
                        : null)) ?? [],
            ]);
    }
}
