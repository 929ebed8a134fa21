using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.Schema;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>
/// A revision's Deployment (Knative's <c>MakeDeployment</c>, KServe's raw-mode Deployment): the serving container, the
/// model at <c>/mnt/models</c> (a storage-initializer init container, or a PVC), the component's pod fields (service
/// account, node selector, tolerations…) over the runtime's, the revision's labels on the pods, and on the Deployment the
/// annotations that let the controller and the gateway find what they need again.
/// </summary>
internal static class DeploymentBuilder
{
    // KServe's component fields, and the containers built here: not copied as pod fields.
    private static readonly HashSet<string> NotPodFields = ["containers", "initContainers", "volumes", "resources"];

    /// <param name="scaling">The replicas it starts with, and its autoscaler (kept as an annotation: see <see cref="RevisionLabels.Autoscaler"/>).</param>
    public static JsonObject Make(RevisionSource source, ObjectSettings settings, Scaling scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(settings);
        var template = source.Template;
        var container = ContainerBuilder.Serving(source);
        var (initializer, volume, mount) = StorageVolumes.For(template.StorageUri, settings.StorageInitializerImage ?? ContainerBuilder.ImageOf(container), source.StorageEnv);
        if (mount is not null)
        {
            container["volumeMounts"] = new JsonArray([.. (container["volumeMounts"] as JsonArray)?.Select(m => m?.DeepClone()) ?? [], mount]);
        }

        var spec = JsonSerializer.SerializeToNode(source.Spec, source.Spec.GetType(), KubeJson.Options)!.AsObject();
        var pod = new JsonObject();
        foreach (string field in KubernetesFields.Of(FieldSet.PodSpec).Order(StringComparer.Ordinal))
        {
            if (!NotPodFields.Contains(field) && spec[field] is { } value)
            {
                pod[field] = value.DeepClone();
            }
        }

        RuntimePodFields(source, pod);
        var initContainers = new JsonArray([.. initializer is null ? [] : new JsonNode?[] { initializer }, .. Copy(spec["initContainers"])]);
        if (initContainers.Count > 0)
        {
            pod["initContainers"] = initContainers;
        }

        pod["containers"] = new JsonArray(container);
        var volumes = new JsonArray([.. Copy(spec["volumes"]), .. volume is null ? [] : new JsonNode?[] { volume }]);
        if (volumes.Count > 0)
        {
            pod["volumes"] = volumes;
        }

        var annotations = new JsonObject
        {
            [RevisionLabels.TemplateDigest] = source.Revision.Fingerprint,
            [RevisionLabels.ContainerConcurrency] = template.ContainerConcurrency.ToString(CultureInfo.InvariantCulture),
            [RevisionLabels.DeploymentMode] = source.Mode,
        };
        if (template.ProtocolVersion is { } protocol)
        {
            annotations[RevisionLabels.ProtocolVersion] = protocol;
        }

        annotations[RevisionLabels.InitialScale] = scaling.Initial.ToString(CultureInfo.InvariantCulture);
        if (scaling.Pinned)
        {
            annotations[RevisionLabels.Pinned] = "true";
        }

        if (scaling.Autoscaler is { } autoscaler)
        {
            annotations[RevisionLabels.Autoscaler] = autoscaler.Object.ToJsonString();
        }

        var deploymentSpec = new JsonObject { ["replicas"] = scaling.Initial };
        deploymentSpec["selector"] = new JsonObject { ["matchLabels"] = ObjectMetadata.Selector(source) };
        var podMetadata = new JsonObject { ["labels"] = ObjectMetadata.Labels(source) };
        if (source.Spec.Annotations is { Count: > 0 } podAnnotations)
        {
            podMetadata["annotations"] = new JsonObject(podAnnotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value))));
        }

        deploymentSpec["template"] = new JsonObject { ["metadata"] = podMetadata, ["spec"] = pod };
        if (source.Spec.DeploymentStrategy is { ValueKind: JsonValueKind.Object } strategy)
        {
            deploymentSpec["strategy"] = JsonNode.Parse(strategy.GetRawText());
        }

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = ObjectMetadata.For(source, annotations: annotations),
            ["spec"] = deploymentSpec,
        };
    }

    /// <summary>The runtime's pod fields, where the component does not set its own (KServe merges the runtime's pod spec under the predictor's).</summary>
    private static void RuntimePodFields(RevisionSource source, JsonObject pod)
    {
        if (source.Runtime?.Runtime.Spec is not { } runtime)
        {
            return;
        }

        var fields = JsonSerializer.SerializeToNode(runtime, KubeJson.Options)!.AsObject();
        foreach (string field in new[] { "nodeSelector", "affinity", "tolerations", "imagePullSecrets", "hostIPC", "schedulerName" })
        {
            if (pod[field] is null && fields[field] is { } value)
            {
                pod[field] = value.DeepClone();
            }
        }
    }

    private static IEnumerable<JsonNode?> Copy(JsonNode? list) => list is JsonArray array ? array.Select(i => i?.DeepClone()) : [];
}
