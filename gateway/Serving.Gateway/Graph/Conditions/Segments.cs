namespace Serving.Gateway.Graph.Conditions;

/// <summary>One component of a parsed GJSON path.</summary>
internal abstract record Segment;

/// <summary>An object key, or an array index when the key is a non-negative integer and the value an array.</summary>
internal sealed record KeySegment(string Key) : Segment;

/// <summary><c>#</c> at the end of a path: the length of an array.</summary>
internal sealed record CountSegment : Segment;

/// <summary><c>#.rest</c>: <c>rest</c> on every element of an array, the ones that exist collected into an array.</summary>
internal sealed record MapSegment(GjsonPath Rest) : Segment;

/// <summary><c>#(query)</c>: the first matching element; <c>#(query)#</c>: every matching element, as an array.</summary>
internal sealed record QuerySegment(GjsonQuery Query, bool All) : Segment;

/// <summary><c>@this</c>: the current value.</summary>
internal sealed record ThisSegment : Segment;

/// <summary><c>[a,b]</c> at the start of a path: an array of the sub-paths that exist.</summary>
internal sealed record MultiSegment(IReadOnlyList<GjsonPath> Paths) : Segment;

/// <summary>Comparison operators of a GJSON query; <c>=</c> and <c>==</c> are the same.</summary>
internal enum QueryOp
{
    Exists,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Like,
    NotLike,
}

/// <summary>
/// The inside of <c>#(...)</c>: a path on the element (empty = the element itself), an operator and the right-hand
/// value as GJSON keeps it (a string without its quotes, or the literal text of a number or boolean).
/// </summary>
internal sealed record GjsonQuery(GjsonPath? Left, QueryOp Op, string Value);
