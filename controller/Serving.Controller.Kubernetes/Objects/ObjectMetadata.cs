using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>The metadata every object of a revision carries: its name, labels, and the InferenceService as its owner.</summary>
internal static class ObjectMetadata
{
    public static JsonObject For(RevisionSource source, string? name = null, JsonObject? annotations = null)
    {
        var metadata = new JsonObject
        {
            ["name"] = name ?? source.Revision.Name,
            ["namespace"] = source.Namespace,
            ["labels"] = Labels(source),
        };
        if (annotations is { Count: > 0 })
        {
            metadata["annotations"] = annotations;
        }

        metadata["ownerReferences"] = new JsonArray(Owner(source.Service));
        return metadata;
    }

    /// <summary>KServe's labels (the service's own, then the component's), then the revision's, which nothing overrides.</summary>
    public static JsonObject Labels(RevisionSource source)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in (source.Service.Metadata.Labels ?? new Dictionary<string, string>()).Concat(source.Spec.Labels ?? new Dictionary<string, string>()))
        {
            labels[key] = value;
        }

        labels[RevisionLabels.InferenceService] = source.Name;
        labels[RevisionLabels.Component] = source.Component;
        labels[RevisionLabels.Revision] = source.Revision.Name;
        labels[RevisionLabels.App] = $"isvc.{source.Name}-{source.Component}";
        labels[RevisionLabels.ManagedBy] = RevisionLabels.Manager;
        return labels;
    }

    /// <summary>The revision's pod selector.</summary>
    public static JsonObject Selector(RevisionSource source) => new() { [RevisionLabels.Revision] = source.Revision.Name };

    /// <summary>
    /// The InferenceService owns every object of its revisions (a graph, its address Service): deleting it deletes them
    /// (Kubernetes' garbage collector).
    /// </summary>
    public static JsonObject Owner(IKubeObject owner) => new()
    {
        ["apiVersion"] = owner.ApiVersion,
        ["kind"] = owner.Kind,
        ["name"] = owner.Metadata.Name,
        ["uid"] = owner.Metadata.Uid ?? "",
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };
}
