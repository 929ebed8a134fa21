using System.Text.Json;
using Serving.Controller.Api;
using Serving.Controller.Api.Schema;
using Serving.Controller.Api.V1Beta1;

namespace Serving.Controller.Validation;

/// <summary>
/// Strict field validation, as <c>kubectl apply</c> with <c>--validate=strict</c> does it: every field of an object's
/// apiVersion, kind, metadata and spec must be one the API defines. A typo is refused with its path and, when a defined
/// field is close, the one meant: <c>spec.predictor.model.stoargeUri: unknown field; did you mean storageUri?</c>. Values
/// the API passes through (affinity, tolerations, probes…) are not looked into. Status is the controller's, not checked.
/// </summary>
public static class UnknownFields
{
    /// <summary>Fields KServe had and removed: their message says what to write instead of guessing a spelling.</summary>
    private static readonly Dictionary<(Type Owner, string Field), string> Removed = new()
    {
        [(typeof(ExplainerSpec), "alibi")] =
            "not supported: KServe removed the Alibi explainer in v0.13; use spec.explainer.art or a custom explainer in spec.explainer.containers",
    };

    /// <summary>One message per unknown field, in document order.</summary>
    public static IReadOnlyList<string> Find(IKubeObject value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var schema = ApiSchema.For(value.GetType());
        var json = JsonSerializer.SerializeToElement(value, value.GetType(), KubeJson.Options);
        var errors = new List<string>();
        foreach (var property in json.EnumerateObject())
        {
            if (property.Name == "status")
            {
                continue;
            }

            Walk(property.Value, property.Name, schema, property.Name, errors);
        }

        return errors;
    }

    /// <summary>Checks <paramref name="value"/>, the field <paramref name="name"/> of an object described by <paramref name="parent"/>.</summary>
    private static void Walk(JsonElement value, string name, SchemaNode parent, string path, List<string> errors)
    {
        if (parent.Properties.TryGetValue(name, out var node))
        {
            Check(value, node, path, errors);
        }
        else if (parent.Type is { } owner && Removed.TryGetValue((owner, name), out string? removed))
        {
            errors.Add($"{path}: {removed}");
        }
        else if (!parent.PassThrough.Contains(name))
        {
            string message = $"{path}: unknown field";
            if (Spelling.Closest(name, parent.FieldNames) is { } meant)
            {
                message += $"; did you mean {meant}?";
            }

            errors.Add(message);
        }
    }

    private static void Check(JsonElement value, SchemaNode node, string path, List<string> errors)
    {
        switch (node.Kind)
        {
            case SchemaKind.Object when value.ValueKind == JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Walk(property.Value, property.Name, node, $"{path}.{property.Name}", errors);
                }

                break;
            case SchemaKind.Array when value.ValueKind == JsonValueKind.Array:
                int index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    Check(item, node.Items!, $"{path}[{index++}]", errors);
                }

                break;
            case SchemaKind.Map when value.ValueKind == JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    Check(property.Value, node.Items!, $"{path}.{property.Name}", errors);
                }

                break;
            case SchemaKind.OneOf:
                var shape = node.Shapes.FirstOrDefault(s =>
                    (s.Kind == SchemaKind.Array && value.ValueKind == JsonValueKind.Array)
                    || (s.Kind is SchemaKind.Object or SchemaKind.Map && value.ValueKind == JsonValueKind.Object));
                if (shape is not null)
                {
                    Check(value, shape, path, errors);
                }

                break;
            default:
                break; // scalars and free-form values; wrong types fail when the object is read
        }
    }
}
