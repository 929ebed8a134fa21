using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>
/// The cluster-local name of an InferenceService or an InferenceGraph, as KServe makes it: an ExternalName Service
/// <c>{name}</c> whose DNS name is an alias of the gateway's, so that <c>http://{name}.{ns}.svc.cluster.local</c> (an
/// InferenceService's <c>status.address.url</c>) reaches the gateway, which routes that host to the service or graph.
/// Revision Services are <c>{isvc}-{component}-{NNNNN}</c>, so the name is free unless something else took it (a graph
/// and an InferenceService of one name share it: the first one keeps it).
/// </summary>
internal static class AddressServiceBuilder
{
    /// <summary>KServe's label naming the graph an object belongs to.</summary>
    public const string InferenceGraphLabel = "serving.kserve.io/inferencegraph";

    public static JsonObject Make(IKubeObject owner, ObjectSettings settings)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(settings);
        string name = owner.Metadata.Name ?? "";
        var labels = new JsonObject();
        foreach (var (key, value) in owner.Metadata.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        labels[OwnerLabel(owner)] = name;
        labels[RevisionLabels.ManagedBy] = RevisionLabels.Manager;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = owner.Metadata.NamespaceOrDefault(),
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(ObjectMetadata.Owner(owner)),
            },
            ["spec"] = new JsonObject
            {
                ["type"] = "ExternalName",
                ["externalName"] = $"{settings.GatewayService}.{ObjectSettings.ClusterLocalDomain}",
                ["sessionAffinity"] = "None",
            },
        };
    }

    /// <summary>The label that names the owner: KServe's <c>serving.kserve.io/inferenceservice</c> or <c>…/inferencegraph</c>.</summary>
    public static string OwnerLabel(IKubeObject owner) => owner is InferenceGraph ? InferenceGraphLabel : RevisionLabels.InferenceService;

    /// <summary>Whether this object owns a Service (its uid in the Service's owner references).</summary>
    public static bool OwnedBy(JsonObject value, IKubeObject owner) =>
        owner.Metadata.Uid is { Length: > 0 } uid
        && (value["metadata"]?["ownerReferences"]?.AsArray() ?? []).Any(o => o?["uid"]?.GetValue<string>() == uid);
}
