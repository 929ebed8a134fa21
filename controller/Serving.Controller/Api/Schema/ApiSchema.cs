using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api.Schema;

/// <summary>
/// Reads the <see cref="SchemaNode"/> of an API type from its C# declaration: properties with <c>[JsonPropertyName]</c> are
/// its fields, <c>[PassThroughFields]</c> adds the embedded Kubernetes type's other fields, <c>[JsonShapes]</c> describes a
/// custom converter's shapes. A type's <c>[JsonExtensionData]</c> only keeps what was written; it admits no field by itself.
/// </summary>
public static class ApiSchema
{
    private static readonly ConcurrentDictionary<Type, SchemaNode> Cache = new();
    private static readonly Lock Building = new();

    public static SchemaNode For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (Cache.TryGetValue(type, out var cached))
        {
            return cached;
        }

        lock (Building)
        {
            var building = new Dictionary<Type, SchemaNode>();
            var node = Build(type, building);
            foreach (var (t, n) in building)
            {
                Cache.TryAdd(t, n);
            }

            return node;
        }
    }

    private static SchemaNode Build(Type type, Dictionary<Type, SchemaNode> building)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (Cache.TryGetValue(type, out var cached) || building.TryGetValue(type, out cached))
        {
            return cached;
        }

        if (Scalar(type) is { } scalar)
        {
            return scalar;
        }

        if (type == typeof(JsonElement) || type == typeof(JsonNode) || type == typeof(object))
        {
            return new SchemaNode(SchemaKind.Any);
        }

        if (DictionaryValue(type) is { } value)
        {
            return new SchemaNode(SchemaKind.Map, type) { Items = Build(value, building) };
        }

        if (ListItem(type) is { } item)
        {
            return new SchemaNode(SchemaKind.Array, type) { Items = Build(item, building) };
        }

        if (type.GetCustomAttribute<JsonShapesAttribute>() is { } shapes)
        {
            var oneOf = new SchemaNode(SchemaKind.OneOf, type);
            building[type] = oneOf;
            oneOf.Shapes = [.. shapes.Shapes.Select(s => Build(s, building))];
            return oneOf;
        }

        if (!type.IsClass || type.Namespace?.StartsWith("Serving.Controller.Api", StringComparison.Ordinal) != true)
        {
            throw new ArgumentException($"{type} is not an API type the schema can describe", nameof(type));
        }

        var node = new SchemaNode(SchemaKind.Object, type);
        building[type] = node;
        if (type.GetCustomAttribute<PassThroughFieldsAttribute>(inherit: true) is { } passThrough)
        {
            node.PassThrough = KubernetesFields.Of(passThrough.Set);
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name && property.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            {
                node.Add(name.Name, property.GetCustomAttribute<QuantityAttribute>() is null
                    ? Build(property.PropertyType, building)
                    : DictionaryValue(property.PropertyType) is not null
                        ? new SchemaNode(SchemaKind.Map, property.PropertyType) { Items = new SchemaNode(SchemaKind.IntOrString) }
                        : new SchemaNode(SchemaKind.IntOrString, property.PropertyType));
            }
        }

        node.PassThrough = node.PassThrough.Except(node.Properties.Keys).ToHashSet(StringComparer.Ordinal);
        return node;
    }

    private static SchemaNode? Scalar(Type type)
    {
        if (type == typeof(string))
        {
            return new SchemaNode(SchemaKind.String, type) { Lenient = true }; // KubeJson reads numbers and booleans as their text
        }

        if (type == typeof(bool))
        {
            return new SchemaNode(SchemaKind.Boolean, type);
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte))
        {
            return new SchemaNode(SchemaKind.Integer, type);
        }

        return type == typeof(double) || type == typeof(float) || type == typeof(decimal) ? new SchemaNode(SchemaKind.Number, type) : null;
    }

    private static Type? DictionaryValue(Type type)
    {
        foreach (var candidate in type.GetInterfaces().Append(type))
        {
            if (candidate.IsGenericType
                && (candidate.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>))
                && candidate.GetGenericArguments()[0] == typeof(string))
            {
                return candidate.GetGenericArguments()[1];
            }
        }

        return null;
    }

    private static Type? ListItem(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        foreach (var candidate in type.GetInterfaces().Append(type))
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>) && type != typeof(string))
            {
                return candidate.GetGenericArguments()[0];
            }
        }

        return null;
    }
}
