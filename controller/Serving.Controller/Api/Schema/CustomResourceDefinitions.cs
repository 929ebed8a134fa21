using System.Text.Json.Nodes;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Api.Schema;

/// <summary>A printer column of <c>kubectl get</c>.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath);

/// <summary>One of the KServe kinds this platform serves, as its CustomResourceDefinition declares it.</summary>
public sealed record ResourceKind(
    Type Type, string Kind, string Plural, string Version, bool Namespaced, bool StatusSubresource, IReadOnlyList<string> ShortNames,
    IReadOnlyList<PrinterColumn> Columns)
{
    public string Name => $"{Plural}.{ApiGroup.Name}";
}

/// <summary>
/// The CustomResourceDefinitions of KServe's kinds, generated from the C# types through <see cref="ApiSchema"/>: one
/// source of truth for what the API accepts. Structural schemas: modelled fields typed, the Kubernetes fields of embedded
/// containers, pod specs and metadata kept as they are (<c>x-kubernetes-preserve-unknown-fields</c>), anything else
/// unknown (so kubectl's validation names a typo). Names, versions, scope, short names and printer columns as KServe's.
/// Status is the controller's: kept whole.
/// </summary>
public static class CustomResourceDefinitions
{
    private static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp");

    public static IReadOnlyList<ResourceKind> Kinds { get; } =
    [
        new(typeof(InferenceService), InferenceService.KindValue, "inferenceservices", "v1beta1", Namespaced: true, StatusSubresource: true, ["isvc"],
        [
            new("URL", "string", ".status.url"),
            new("Ready", "string", ".status.conditions[?(@.type=='Ready')].status"),
            new("Prev", "integer", ".status.components.predictor.traffic[?(@.tag=='prev')].percent"),
            new("Latest", "integer", ".status.components.predictor.traffic[?(@.latestRevision==true)].percent"),
            new("PrevRolledoutRevision", "string", ".status.components.predictor.traffic[?(@.tag=='prev')].revisionName"),
            new("LatestReadyRevision", "string", ".status.components.predictor.traffic[?(@.latestRevision==true)].revisionName"),
            Age,
        ]),
        new(typeof(InferenceGraph), InferenceGraph.KindValue, "inferencegraphs", "v1alpha1", Namespaced: true, StatusSubresource: true, ["ig"],
        [
            new("URL", "string", ".status.url"),
            new("Ready", "string", ".status.conditions[?(@.type=='Ready')].status"),
            Age,
        ]),
        new(typeof(ServingRuntime), ServingRuntime.KindValue, "servingruntimes", "v1alpha1", Namespaced: true, StatusSubresource: false, [], RuntimeColumns()),
        new(typeof(ClusterServingRuntime), ClusterServingRuntime.KindValue, "clusterservingruntimes", "v1alpha1", Namespaced: false, StatusSubresource: false, [], RuntimeColumns()),
    ];

    /// <summary>KServe's file name for the CRD: <c>serving.kserve.io_inferenceservices.yaml</c>.</summary>
    public static string FileName(ResourceKind kind) => $"{ApiGroup.Name}_{(kind ?? throw new ArgumentNullException(nameof(kind))).Plural}.yaml";

    /// <summary>The CRD as the YAML file that is committed and applied, with a header saying where it comes from.</summary>
    public static string Document(ResourceKind kind) =>
        "# Generated from the C# types in controller/Serving.Controller/Api by `serving-controller crds`; do not edit.\n"
        + Loading.YamlWriter.Write(Generate(kind));

    /// <summary>The CRD object of <paramref name="kind"/> (<c>apiextensions.k8s.io/v1</c>).</summary>
    public static JsonObject Generate(ResourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var root = ApiSchema.For(kind.Type);
        var properties = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["metadata"] = new JsonObject { ["type"] = "object" },
        };
        if (root.Properties.TryGetValue("spec", out var spec))
        {
            properties["spec"] = Schema(spec);
        }

        if (root.Properties.ContainsKey("status"))
        {
            properties["status"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        }

        var version = new JsonObject
        {
            ["name"] = kind.Version,
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["properties"] = properties } },
        };
        if (kind.StatusSubresource)
        {
            version["subresources"] = new JsonObject { ["status"] = new JsonObject() };
        }

        version["additionalPrinterColumns"] = new JsonArray(
        [
            .. kind.Columns.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["type"] = c.Type, ["jsonPath"] = c.JsonPath }),
        ]);
        var names = new JsonObject
        {
            ["kind"] = kind.Kind,
            ["listKind"] = kind.Kind + "List",
            ["plural"] = kind.Plural,
            ["singular"] = kind.Kind.ToLowerInvariant(),
        };
        if (kind.ShortNames.Count > 0)
        {
            names["shortNames"] = new JsonArray([.. kind.ShortNames.Select(s => (JsonNode)JsonValue.Create(s))]);
        }

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = kind.Name },
            ["spec"] = new JsonObject
            {
                ["group"] = ApiGroup.Name,
                ["names"] = names,
                ["scope"] = kind.Namespaced ? "Namespaced" : "Cluster",
                ["versions"] = new JsonArray(version),
            },
        };
    }

    /// <summary>The OpenAPI v3 schema of a node, structural as the API server requires.</summary>
    public static JsonObject Schema(SchemaNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node.Kind)
        {
            case SchemaKind.Object:
                var properties = new JsonObject();
                foreach (var (name, child) in node.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    properties[name] = Schema(child);
                }

                foreach (string name in node.PassThrough.Order(StringComparer.Ordinal))
                {
                    properties[name] = new JsonObject { ["x-kubernetes-preserve-unknown-fields"] = true };
                }

                return new JsonObject { ["type"] = "object", ["properties"] = properties };
            case SchemaKind.Array:
                return new JsonObject { ["type"] = "array", ["items"] = Schema(node.Items!) };
            case SchemaKind.Map:
                return new JsonObject { ["type"] = "object", ["additionalProperties"] = Schema(node.Items!) };
            case SchemaKind.String:
                return new JsonObject { ["type"] = "string" };
            case SchemaKind.IntOrString:
                return new JsonObject
                {
                    ["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
                    ["x-kubernetes-int-or-string"] = true,
                };
            case SchemaKind.Integer:
                return new JsonObject
                {
                    ["type"] = "integer",
                    ["format"] = node.Type == typeof(long) ? "int64" : "int32",
                };
            case SchemaKind.Number:
                return new JsonObject { ["type"] = "number" };
            case SchemaKind.Boolean:
                return new JsonObject { ["type"] = "boolean" };
            default:
                // Free-form values and the shapes of a field that takes more than one (a list or an object):
                // kept as written, checked by the controller's admission.
                return new JsonObject { ["x-kubernetes-preserve-unknown-fields"] = true };
        }
    }

    private static IReadOnlyList<PrinterColumn> RuntimeColumns() =>
    [
        new("Disabled", "boolean", ".spec.disabled"),
        new("ModelType", "string", ".spec.supportedModelFormats[*].name"),
        new("Containers", "string", ".spec.containers[*].name"),
        Age,
    ];
}
