namespace Serving.Controller.Planning;

/// <summary>
/// What one revision of a component runs: the runtime's command line with the model, and its scaling settings. Two
/// templates are the same revision when their <see cref="Fingerprint"/>s match: a change to anything but
/// <c>canaryTrafficPercent</c> makes a new revision, as a change to a Knative Service's template does.
/// </summary>
/// <param name="Component"><c>predictor</c>, <c>transformer</c> or <c>explainer</c>.</param>
/// <param name="ModelName">The name the model is served under (KServe renders <c>{{.Name}}</c> as the InferenceService's name).</param>
/// <param name="Runtime">The (Cluster)ServingRuntime chosen, or null for a custom container.</param>
/// <param name="Image">The container image that would run in a cluster.</param>
/// <param name="Args">The container's arguments: the runtime's, placeholders rendered, then the model's own.</param>
/// <param name="StorageUri">Where the model comes from; null for a custom container without one.</param>
/// <param name="Fingerprint">Canonical JSON of everything that makes the revision; the identity of the template.</param>
public sealed record RevisionTemplate(
    string Component,
    string ModelName,
    string? Runtime,
    string? Image,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Env,
    string? StorageUri,
    string? ProtocolVersion,
    int ContainerConcurrency,
    long? TimeoutSeconds,
    ScalingSpec Scaling,
    string Fingerprint)
{
    /// <summary>A short, stable digest of <see cref="Fingerprint"/> (SHA-256, hex): what a revision's objects carry as its identity.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Digest => field ??= Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Fingerprint)))[..32];

    public bool Equals(RevisionTemplate? other) => other is not null && Fingerprint == other.Fingerprint;

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Fingerprint);
}

/// <summary>
/// A component's scaling fields as written, and the Knative autoscaling annotations that apply to it; the autoscaler
/// (local loop or KEDA scaler) turns them into its configuration. In <c>Standard</c> (raw) mode
/// <paramref name="MinReplicas"/> is already at least 1, so the KPA's min-scale keeps a replica: no mode check elsewhere.
/// Not compared on its own: a revision's identity is its template's fingerprint.
/// </summary>
public sealed record ScalingSpec(int? MinReplicas, int MaxReplicas, int? ScaleTarget, string? ScaleMetric, IReadOnlyDictionary<string, string> Annotations);
