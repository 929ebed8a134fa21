namespace Serving.Controller.Api.Schema;

/// <summary>Marks an API type that embeds a Kubernetes type: the fields of <paramref name="set"/> it does not model pass through.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class PassThroughFieldsAttribute(FieldSet set) : Attribute
{
    public FieldSet Set { get; } = set;
}

/// <summary>Marks a type with a custom converter whose JSON takes one of several shapes, each read as one of <paramref name="shapes"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class JsonShapesAttribute(params Type[] shapes) : Attribute
{
    public IReadOnlyList<Type> Shapes { get; } = shapes;
}

/// <summary>
/// Marks a string property (or a map of them) whose values are Kubernetes quantities: an integer or a string
/// (<c>cpu: 1</c> or <c>cpu: "500m"</c>), as KServe's schema declares them.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class QuantityAttribute : Attribute;
