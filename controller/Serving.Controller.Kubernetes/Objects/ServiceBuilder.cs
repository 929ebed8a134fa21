using System.Text.Json.Nodes;
using Serving.Controller.Api;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>
/// A revision's Service: a stable name in front of its pods (port 80 to the serving container's port, as KServe's raw-mode
/// Service). Built from the revision's Deployment alone, so that it can be made again for a revision whose template is
/// gone (after a restart of the controller). The gateway routes to the pods' own addresses (the Service is for the rest
/// of the cluster), found in the Service's EndpointSlices, which carry the Service's labels: so the per-replica limit and
/// the protocol are labels here too (see <see cref="RevisionLabels.ContainerConcurrency"/>).
/// </summary>
internal static class ServiceBuilder
{
    public static JsonObject Make(JsonObject deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var metadata = deployment["metadata"]!;
        var container = deployment["spec"]?["template"]?["spec"]?["containers"]?[0]?.AsObject() ?? [];
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject
            {
                ["name"] = metadata["name"]?.DeepClone(),
                ["namespace"] = metadata["namespace"]?.DeepClone(),
                ["labels"] = Labels(metadata),
                ["ownerReferences"] = metadata["ownerReferences"]?.DeepClone(),
            },
            ["spec"] = new JsonObject
            {
                ["selector"] = deployment["spec"]?["selector"]?["matchLabels"]?.DeepClone(),
                ["ports"] = new JsonArray(new JsonObject
                {
                    ["name"] = "http",
                    ["port"] = 80,
                    ["targetPort"] = ContainerBuilder.PortOf(container),
                    ["protocol"] = "TCP",
                }),
            },
        };
    }

    /// <summary>The Deployment's labels, plus its annotations the gateway needs (label values: digits, <c>v1</c>, <c>v2</c>).</summary>
    private static JsonObject Labels(JsonNode metadata)
    {
        var labels = metadata["labels"]?.DeepClone().AsObject() ?? [];
        foreach (string key in new[] { RevisionLabels.ContainerConcurrency, RevisionLabels.ProtocolVersion })
        {
            if (metadata["annotations"]?[key] is { } value)
            {
                labels[key] = value.DeepClone();
            }
        }

        return labels;
    }
}
