namespace Serving.Controller.Api.Schema;

/// <summary>What a value is in the API's JSON: the types' shape, read once from the C# types by <see cref="ApiSchema"/>.</summary>
public enum SchemaKind
{
    Object,
    Array,

    /// <summary>An object with arbitrary keys (labels, annotations, nodeSelector).</summary>
    Map,
    String,
    Integer,
    Number,
    Boolean,

    /// <summary>Free-form JSON the API passes through (affinity, tolerations, volumes…).</summary>
    Any,

    /// <summary>A Kubernetes quantity or port: an integer or a string (<c>cpu: 1</c>, <c>memory: 8Gi</c>).</summary>
    IntOrString,

    /// <summary>One of several shapes (<c>spec.canary</c>: a list or an object); see <see cref="SchemaNode.Shapes"/>.</summary>
    OneOf,
}

/// <summary>
/// One node of the API schema: the single description of the KServe types that the strict field check walks today and
/// the CRD generator turns into OpenAPI. Objects list the fields the types model and, for the Kubernetes types KServe
/// embeds (containers, pod specs, metadata), the other fields Kubernetes defines, whose values pass through unchanged.
/// </summary>
public sealed class SchemaNode
{
    private readonly Dictionary<string, SchemaNode> _properties = new(StringComparer.Ordinal);

    internal SchemaNode(SchemaKind kind, Type? type = null)
    {
        Kind = kind;
        Type = type;
    }

    public SchemaKind Kind { get; }

    /// <summary>The C# type the node was read from (null for free-form values).</summary>
    public Type? Type { get; }

    /// <summary>Modelled fields of an object, by JSON name.</summary>
    public IReadOnlyDictionary<string, SchemaNode> Properties => _properties;

    /// <summary>Fields Kubernetes defines on an embedded type that the API carries without modelling them.</summary>
    public IReadOnlySet<string> PassThrough { get; internal set; } = new HashSet<string>();

    /// <summary>Items of an array, values of a map.</summary>
    public SchemaNode? Items { get; internal set; }

    /// <summary>The shapes a <see cref="SchemaKind.OneOf"/> value may take (at most one per JSON kind).</summary>
    public IReadOnlyList<SchemaNode> Shapes { get; internal set; } = [];

    /// <summary>A string field that also takes a number or boolean as its literal text (YAML's unquoted <c>version: 1</c>).</summary>
    public bool Lenient { get; internal set; }

    /// <summary>Every field name an object accepts: modelled and passed through.</summary>
    public IEnumerable<string> FieldNames => _properties.Keys.Concat(PassThrough);

    internal void Add(string name, SchemaNode node) => _properties[name] = node;
}
