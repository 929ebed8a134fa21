using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>
/// An InferenceService's cluster-local name, as KServe makes it in serverless mode: an ExternalName Service
/// <c>{isvc}</c> whose DNS name is an alias of the gateway's, so that <c>http://{isvc}.{ns}.svc.cluster.local</c>
/// (<c>status.address.url</c>) reaches the gateway, which routes that host to the service. Revision Services are
/// <c>{isvc}-{component}-{NNNNN}</c>, so the name is free unless something else took it.
/// </summary>
internal static class AddressServiceBuilder
{
    public static JsonObject Make(InferenceService service, ObjectSettings settings)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(settings);
        string name = service.Metadata.Name ?? "";
        var labels = new JsonObject();
        foreach (var (key, value) in service.Metadata.Labels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        labels[RevisionLabels.InferenceService] = name;
        labels[RevisionLabels.ManagedBy] = RevisionLabels.Manager;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = service.Metadata.Namespace ?? "default",
                ["labels"] = labels,
                ["ownerReferences"] = new JsonArray(ObjectMetadata.Owner(service)),
            },
            ["spec"] = new JsonObject
            {
                ["type"] = "ExternalName",
                ["externalName"] = $"{settings.GatewayService}.{ObjectSettings.ClusterLocalDomain}",
                ["sessionAffinity"] = "None",
            },
        };
    }

    /// <summary>Whether this InferenceService owns a Service (its uid in the Service's owner references).</summary>
    public static bool OwnedBy(JsonObject value, InferenceService service) =>
        service.Metadata.Uid is { Length: > 0 } uid
        && (value["metadata"]?["ownerReferences"]?.AsArray() ?? []).Any(o => o?["uid"]?.GetValue<string>() == uid);
}
