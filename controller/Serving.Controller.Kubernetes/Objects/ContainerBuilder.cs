using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.Core;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>
/// A revision's serving container. For a model, KServe's <c>kserve-container</c> of the selected runtime with the
/// model's container fields over it (<c>MergeRuntimeContainers</c>): its arguments as the template rendered them
/// (runtime's, then the model's), environment merged by name (the model's win), resources, ports, probes and every other
/// field the model sets replacing the runtime's, volume mounts added. For a custom container, the container as written.
/// </summary>
internal static class ContainerBuilder
{
    public const string ServingContainer = ContainerNames.KServeContainer;

    // The model's fields that are not container fields (PredictorExtensionSpec, ModelSpec).
    private static readonly HashSet<string> ModelOnly = ["storageUri", "runtimeVersion", "protocolVersion", "storage", "confidential", "modelFormat", "runtime"];

    public static JsonObject Serving(RevisionSource source)
    {
        var template = source.Template;
        if (source.Component == ComponentTypes.Predictor && source.Service.Spec.Predictor?.Model is { } model && source.Runtime is { } runtime)
        {
            var runtimeContainer = runtime.Runtime.Spec.Containers?.FirstOrDefault(c => c.Name == ServingContainer) ?? runtime.Runtime.Spec.Containers![0];
            var container = Json(runtimeContainer);
            foreach (var (field, value) in Json(model))
            {
                if (ModelOnly.Contains(field) || field is "name" or "args" || value is null)
                {
                    continue;
                }

                container[field] = field switch
                {
                    "env" => MergeByName(container["env"] as JsonArray, value.AsArray()),
                    "volumeMounts" => new JsonArray([.. Items(container["volumeMounts"] as JsonArray), .. Items(value.AsArray())]),
                    _ => value.DeepClone(),
                };
            }

            container["name"] = ServingContainer;
            if (template.Image is { } image)
            {
                container["image"] = image;
            }

            container["args"] = new JsonArray([.. template.Args.Select(a => (JsonNode?)JsonValue.Create(a))]);
            return WithProbes(container);
        }

        // A custom container (predictor.containers, transformer, explainer): as written, named as KServe names it.
        var custom = Json(source.Spec.Containers?.FirstOrDefault() ?? new Container());
        custom["name"] ??= ServingContainer;
        return custom;
    }

    /// <summary>The image the storage initializer runs when none is configured: the serving container's (one binary).</summary>
    public static string ImageOf(JsonObject container) => container["image"]?.GetValue<string>() ?? "serving-runtime:latest";

    /// <summary>The port the container serves on: its first declared port, else KServe's 8080.</summary>
    public static int PortOf(JsonObject container) =>
        container["ports"]?.AsArray().FirstOrDefault()?["containerPort"]?.GetValue<int>() ?? 8080;

    /// <summary>
    /// Readiness as the local backend probes it, unless the runtime or the model set probes: the runtime is ready once its
    /// models are loaded (<c>/v2/health/ready</c>), alive while it answers <c>/v2/health/live</c>.
    /// </summary>
    private static JsonObject WithProbes(JsonObject container)
    {
        int port = PortOf(container);
        container["readinessProbe"] ??= new JsonObject
        {
            ["httpGet"] = new JsonObject { ["path"] = "/v2/health/ready", ["port"] = port },
            ["periodSeconds"] = 1,
            ["timeoutSeconds"] = 1,
            ["failureThreshold"] = 3,
        };
        container["livenessProbe"] ??= new JsonObject
        {
            ["httpGet"] = new JsonObject { ["path"] = "/v2/health/live", ["port"] = port },
            ["initialDelaySeconds"] = 10,
            ["periodSeconds"] = 10,
            ["timeoutSeconds"] = 5,
            ["failureThreshold"] = 3,
        };
        return container;
    }

    private static JsonArray MergeByName(JsonArray? first, JsonArray second)
    {
        var merged = new List<JsonNode?>();
        foreach (var item in Items(first).Concat(Items(second)))
        {
            string? name = item?["name"]?.GetValue<string>();
            merged.RemoveAll(e => name is not null && e?["name"]?.GetValue<string>() == name);
            merged.Add(item);
        }

        return new JsonArray([.. merged]);
    }

    private static IEnumerable<JsonNode?> Items(JsonArray? array) => array?.Select(i => i?.DeepClone()) ?? [];

    /// <summary>The container's JSON alone (a model's container fields are serialized from its <see cref="Container"/> part too).</summary>
    private static JsonObject Json(Container container) =>
        JsonSerializer.SerializeToNode(container, container.GetType(), KubeJson.Options)!.AsObject();
}
