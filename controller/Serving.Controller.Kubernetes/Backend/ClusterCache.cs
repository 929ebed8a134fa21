using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Kubernetes.Informers;

namespace Serving.Controller.Kubernetes.Backend;

/// <summary>
/// What the controller watches, each kind in an <see cref="Informer"/>: KServe's kinds, and the objects it made itself
/// (selected by <c>app.kubernetes.io/managed-by</c>). Reconciles read from here, never from memory of their own.
/// </summary>
public sealed class ClusterCache(
    Informer inferenceServices, Informer inferenceGraphs, Informer servingRuntimes, Informer clusterServingRuntimes,
    Informer deployments, Informer pods, Informer services, Informer? scaledObjects, Informer hpas)
{
    public const string ManagedSelector = RevisionLabels.ManagedBy + "=" + RevisionLabels.Manager;

    public Informer InferenceServices { get; } = inferenceServices;

    public Informer InferenceGraphs { get; } = inferenceGraphs;

    public Informer ServingRuntimes { get; } = servingRuntimes;

    public Informer ClusterServingRuntimes { get; } = clusterServingRuntimes;

    public Informer Deployments { get; } = deployments;

    public Informer Pods { get; } = pods;

    public Informer Services { get; } = services;

    /// <summary>Null where KEDA's CRD is not installed.</summary>
    public Informer? ScaledObjects { get; } = scaledObjects;

    public Informer Hpas { get; } = hpas;

    public IEnumerable<Informer> All => new[] { InferenceServices, InferenceGraphs, ServingRuntimes, ClusterServingRuntimes, Deployments, Pods, Services, Hpas }
        .Concat(ScaledObjects is null ? [] : [ScaledObjects]);

    /// <summary>The Deployments of an InferenceService's revisions, by revision name.</summary>
    public IReadOnlyDictionary<string, JsonObject> RevisionsOf(string @namespace, string service) =>
        Deployments.Items
            .Where(d => Namespace(d) == @namespace && Label(d, RevisionLabels.InferenceService) == service && Label(d, RevisionLabels.Revision) is not null)
            .ToDictionary(d => Label(d, RevisionLabels.Revision)!, StringComparer.Ordinal);

    public IEnumerable<JsonObject> PodsOf(string @namespace, string revision) =>
        Pods.Items.Where(p => Namespace(p) == @namespace && Label(p, RevisionLabels.Revision) == revision);

    public static string? Label(JsonObject value, string key) => value["metadata"]?["labels"]?[key]?.GetValue<string>();

    public static string? Annotation(JsonObject value, string key) => value["metadata"]?["annotations"]?[key]?.GetValue<string>();

    public static string Namespace(JsonObject value) => value["metadata"]?["namespace"]?.GetValue<string>() ?? "";

    public static string Name(JsonObject value) => value["metadata"]?["name"]?.GetValue<string>() ?? "";
}
