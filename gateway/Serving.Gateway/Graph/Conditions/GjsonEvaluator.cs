using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Serving.Gateway.Graph.Conditions;

/// <summary>
/// Walks a parsed path over a <see cref="JsonElement"/> with GJSON's rules: <c>#</c> is a length, <c>#.k</c> and
/// <c>#(...)#</c> build arrays (which exist even when empty), a query compares by the element's JSON type
/// (<c>queryMatches</c> in gjson.go).
/// </summary>
internal static class GjsonEvaluator
{
    public static JsonElement? Evaluate(IReadOnlyList<Segment> segments, int index, JsonElement value)
    {
        for (int i = index; i < segments.Count; i++)
        {
            switch (segments[i])
            {
                case KeySegment key:
                    if (Step(value, key.Key) is not { } next)
                    {
                        return null;
                    }

                    value = next;
                    break;
                case ThisSegment:
                    break;
                case CountSegment:
                    return value.ValueKind == JsonValueKind.Array ? Number(value.GetArrayLength()) : null;
                case MapSegment map:
                    return value.ValueKind == JsonValueKind.Array
                        ? Array(value.EnumerateArray().Select(e => map.Rest.Get(e)))
                        : null;
                case MultiSegment multi:
                    value = Array(multi.Paths.Select(p => p.Get(value)));
                    break;
                case QuerySegment { All: false } query:
                    if (value.ValueKind != JsonValueKind.Array || !TryFirst(value, query.Query, out var match))
                    {
                        return null;
                    }

                    value = match;
                    break;
                case QuerySegment query:
                    // #(...)# collects every match, with the rest of the path applied to each.
                    return value.ValueKind == JsonValueKind.Array
                        ? Array(value.EnumerateArray().Where(e => Matches(query.Query, e)).Select(e => Evaluate(segments, i + 1, e)))
                        : null;
            }
        }

        return value;
    }

    private static JsonElement? Step(JsonElement value, string key)
    {
        if (value.ValueKind == JsonValueKind.Object)
        {
            return value.TryGetProperty(key, out var property) ? property : null;
        }

        if (value.ValueKind == JsonValueKind.Array && key.Length > 0 && key.All(char.IsAsciiDigit)
            && int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int at) && at < value.GetArrayLength())
        {
            return value[at];
        }

        return null;
    }

    private static bool TryFirst(JsonElement array, GjsonQuery query, out JsonElement match)
    {
        foreach (var element in array.EnumerateArray())
        {
            if (Matches(query, element))
            {
                match = element;
                return true;
            }
        }

        match = default;
        return false;
    }

    private static bool Matches(GjsonQuery query, JsonElement element)
    {
        JsonElement? left;
        if (query.Left is null)
        {
            left = element;
        }
        else
        {
            // GJSON only follows a path into objects and arrays; on a plain value a path never matches.
            left = element.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? query.Left.Get(element) : null;
        }

        if (left is not { } value)
        {
            return false;
        }

        if (query.Op == QueryOp.Exists)
        {
            return true;
        }

        string rhs = query.Value;
        return value.ValueKind switch
        {
            JsonValueKind.String => CompareStrings(value.GetString()!, query.Op, rhs),
            JsonValueKind.Number => CompareNumbers(value.GetDouble(), query.Op, double.TryParse(rhs, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) ? n : 0),
            JsonValueKind.True => query.Op switch
            {
                QueryOp.Equal => rhs == "true",
                QueryOp.NotEqual => rhs != "true",
                QueryOp.Greater => rhs == "false",
                QueryOp.GreaterOrEqual => true,
                _ => false,
            },
            JsonValueKind.False => query.Op switch
            {
                QueryOp.Equal => rhs == "false",
                QueryOp.NotEqual => rhs != "false",
                QueryOp.Less => rhs == "true",
                QueryOp.LessOrEqual => true,
                _ => false,
            },
            _ => false,
        };
    }

    private static bool CompareStrings(string left, QueryOp op, string right)
    {
        int order = string.CompareOrdinal(left, right);
        return op switch
        {
            QueryOp.Equal => order == 0,
            QueryOp.NotEqual => order != 0,
            QueryOp.Less => order < 0,
            QueryOp.LessOrEqual => order <= 0,
            QueryOp.Greater => order > 0,
            QueryOp.GreaterOrEqual => order >= 0,
            QueryOp.Like => LikePattern.Matches(left, right),
            QueryOp.NotLike => !LikePattern.Matches(left, right),
            _ => false,
        };
    }

    private static bool CompareNumbers(double left, QueryOp op, double right) => op switch
    {
        QueryOp.Equal => left == right,
        QueryOp.NotEqual => left != right,
        QueryOp.Less => left < right,
        QueryOp.LessOrEqual => left <= right,
        QueryOp.Greater => left > right,
        QueryOp.GreaterOrEqual => left >= right,
        _ => false,
    };

    private static JsonElement Number(int n)
    {
        using var document = JsonDocument.Parse(n.ToString(CultureInfo.InvariantCulture));
        return document.RootElement.Clone();
    }

    /// <summary>A JSON array of the values that exist.</summary>
    private static JsonElement Array(IEnumerable<JsonElement?> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                value?.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
