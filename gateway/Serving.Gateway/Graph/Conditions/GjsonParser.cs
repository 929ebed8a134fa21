using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Serving.Gateway.Graph.Conditions;

/// <summary>
/// Parses the supported GJSON subset: keys separated by dots (<c>\</c> escapes), array indexes, <c>#</c> (length),
/// <c>#.path</c>, <c>#(query)</c> and <c>#(query)#</c> with <c>== = != &lt; &lt;= &gt; &gt;= % !%</c>, <c>@this</c>, and
/// a leading multipath <c>[a,b]</c>. Positions in messages count from 1.
/// </summary>
internal static class GjsonParser
{
    public static GjsonPath Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new GjsonSyntaxException("the condition is empty");
        }

        return ParsePath(text, text, 0);
    }

    private static GjsonPath ParsePath(string full, string path, int offset)
    {
        var segments = new List<Segment>();
        int i = 0;
        if (path.StartsWith("..", StringComparison.Ordinal))
        {
            throw Error(full, offset, "JSON Lines paths ('..') are not supported");
        }

        if (path[0] == '{')
        {
            throw Error(full, offset, "object sub-selectors '{...}' are not supported (only a leading '[a,b]' multipath)");
        }

        if (path[0] == '[')
        {
            int close = FindClose(path, 0);
            if (close < 0)
            {
                throw Error(full, offset, "'[' is never closed");
            }

            segments.Add(new MultiSegment(SplitTopLevel(path, 1, close).Select(part =>
            {
                string sub = path[part.Start..part.End];
                string trimmed = sub.Trim();
                return trimmed.Length == 0
                    ? throw Error(full, offset + part.Start, "empty path in '[...]'")
                    : ParsePath(full, trimmed, offset + part.Start + sub.IndexOf(trimmed[0], StringComparison.Ordinal));
            }).ToList()));
            i = AfterComponent(full, path, close + 1, offset, "']'");
        }

        while (i < path.Length)
        {
            char c = path[i];
            if (c == '#')
            {
                if (i + 1 == path.Length)
                {
                    segments.Add(new CountSegment());
                    break;
                }

                char next = path[i + 1];
                if (next == '.')
                {
                    string rest = path[(i + 2)..];
                    if (rest.Length == 0)
                    {
                        throw Error(full, offset + i, "'#.' needs a path after it");
                    }

                    segments.Add(new MapSegment(ParsePath(full, rest, offset + i + 2)));
                    break;
                }

                if (next == '(')
                {
                    int close = FindClose(path, i + 1);
                    if (close < 0)
                    {
                        throw Error(full, offset + i, "'#(' is never closed with ')'");
                    }

                    var query = ParseQuery(full, path[(i + 2)..close], offset + i + 2);
                    i = close + 1;
                    bool all = i < path.Length && path[i] == '#';
                    if (all)
                    {
                        i++;
                    }

                    segments.Add(new QuerySegment(query, all));
                    i = AfterComponent(full, path, i, offset, "a query");
                    continue;
                }

                if (next == '[')
                {
                    throw Error(full, offset + i, "'#[...]' is GJSON's old query form; write '#(...)'");
                }

                throw Error(full, offset + i, "'#' must stand alone, or be followed by '.', '(...)' or '(...)#'");
            }

            if (c == '@')
            {
                int end = path.IndexOf('.', i);
                end = end < 0 ? path.Length : end;
                string modifier = path[i..end];
                if (modifier != "@this")
                {
                    throw Error(full, offset + i, $"modifier '{modifier}' is not supported (only @this)");
                }

                segments.Add(new ThisSegment());
                i = AfterComponent(full, path, end, offset, "@this");
                continue;
            }

            var key = new StringBuilder();
            int start = i;
            for (; i < path.Length && path[i] != '.'; i++)
            {
                char k = path[i];
                if (k == '\\')
                {
                    if (++i == path.Length)
                    {
                        throw Error(full, offset + i - 1, "'\\' at the end escapes nothing");
                    }

                    key.Append(path[i]);
                    continue;
                }

                CheckKeyChar(full, k, offset + i);
                key.Append(k);
            }

            if (i == start)
            {
                throw Error(full, offset + i, "empty key (two dots in a row, or a leading dot)");
            }

            segments.Add(new KeySegment(key.ToString()));
            i = AfterComponent(full, path, i, offset, "a key");
        }

        return new GjsonPath(path, segments);
    }

    private static void CheckKeyChar(string full, char k, int position)
    {
        string? problem = k switch
        {
            '*' or '?' => $"wildcard '{k}' is not supported (write '\\{k}' for the character itself)",
            '|' => "pipes '|' are not supported",
            '[' or ']' => $"'{k}' in a key: indexes are written with dots ('predictions.0'); write '\\{k}' for the character itself",
            '(' or ')' or '{' or '}' => $"'{k}' in a key: queries are written '#(...)'; write '\\{k}' for the character itself",
            '=' or '!' or '<' or '>' or '%' => $"'{k}' in a key: comparisons go inside a query, as in 'instances.#(x>1)'; write '\\{k}' for the character itself",
            '~' => "'~' (GJSON's truthiness operator) is not supported; compare with '==true'",
            '"' => "'\"' in a key: quotes belong to query values, as in '#(class==\"dog\")'",
            _ => null,
        };
        if (problem is not null)
        {
            throw Error(full, position, problem);
        }
    }

    /// <summary>After a component: the end of the path, or a dot followed by more.</summary>
    private static int AfterComponent(string full, string path, int i, int offset, string what)
    {
        if (i == path.Length)
        {
            return i;
        }

        if (path[i] != '.')
        {
            throw Error(full, offset + i, $"expected '.' after {what}, found '{path[i]}'");
        }

        if (i + 1 == path.Length)
        {
            throw Error(full, offset + i, "the path ends with '.'");
        }

        return i + 1;
    }

    private static GjsonQuery ParseQuery(string full, string inner, int offset)
    {
        int op = FindOperator(inner);
        if (op < 0)
        {
            string existence = inner.Trim();
            return existence.Length == 0
                ? throw Error(full, offset, "empty query '#()'")
                : new GjsonQuery(ParseLeft(full, existence, offset + inner.IndexOf(existence[0], StringComparison.Ordinal)), QueryOp.Exists, "");
        }

        string left = inner[..op].Trim();
        var (kind, size) = ReadOperator(inner, op) ?? throw Error(full, offset + op, $"unknown operator at '{inner[op..]}'");
        string value = inner[(op + size)..].Trim();
        if (value.Length == 0)
        {
            throw Error(full, offset + op, $"query '{inner}' has no value after its operator");
        }

        if (kind is QueryOp.Like or QueryOp.NotLike && value[0] != '"')
        {
            throw Error(full, offset + op, $"the pattern of '%' must be a quoted string, not '{value}'");
        }

        var leftPath = left.Length == 0 ? null : ParseLeft(full, left, offset + inner.IndexOf(left[0], StringComparison.Ordinal));
        return new GjsonQuery(leftPath, kind, ReadValue(full, value, offset + op + size));
    }

    private static GjsonPath ParseLeft(string full, string left, int offset) => ParsePath(full, left, offset);

    /// <summary>The first operator character outside quotes and nested brackets, as GJSON finds it.</summary>
    private static int FindOperator(string inner)
    {
        int depth = 0;
        for (int i = 0; i < inner.Length; i++)
        {
            switch (inner[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    i = SkipString(inner, i);
                    break;
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case '!' or '=' or '<' or '>' or '%' when depth == 0:
                    return i;
            }
        }

        return -1;
    }

    private static (QueryOp Op, int Size)? ReadOperator(string text, int i)
    {
        string two = i + 1 < text.Length ? text.Substring(i, 2) : "";
        return two switch
        {
            "==" => (QueryOp.Equal, 2),
            "!=" => (QueryOp.NotEqual, 2),
            "<=" => (QueryOp.LessOrEqual, 2),
            ">=" => (QueryOp.GreaterOrEqual, 2),
            "!%" => (QueryOp.NotLike, 2),
            _ => text[i] switch
            {
                '=' => (QueryOp.Equal, 1),
                '<' => (QueryOp.Less, 1),
                '>' => (QueryOp.Greater, 1),
                '%' => (QueryOp.Like, 1),
                _ => null,
            },
        };
    }

    /// <summary>A JSON string (kept without quotes, unescaped), a number or a boolean, as GJSON compares them.</summary>
    private static string ReadValue(string full, string value, int offset)
    {
        if (value[0] == '"')
        {
            try
            {
                return JsonSerializer.Deserialize<string>(value) ?? "";
            }
            catch (JsonException)
            {
                throw Error(full, offset, $"query value {value} is not a valid JSON string");
            }
        }

        if (value is "true" or "false")
        {
            return value;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && value[0] is '-' or (>= '0' and <= '9'))
        {
            return value;
        }

        throw Error(full, offset, $"query value '{value}' must be a quoted string, a number, true or false");
    }

    /// <summary>Index of the bracket closing the one at <paramref name="open"/>, skipping strings and escapes; -1 if none.</summary>
    private static int FindClose(string text, int open)
    {
        int depth = 0;
        for (int i = open; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    i = SkipString(text, i);
                    break;
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    if (--depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        return -1;
    }

    private static int SkipString(string text, int quote)
    {
        for (int i = quote + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        return text.Length;
    }

    private static List<(int Start, int End)> SplitTopLevel(string text, int start, int end)
    {
        var parts = new List<(int, int)>();
        int depth = 0;
        int from = start;
        for (int i = start; i < end; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '"':
                    i = SkipString(text, i);
                    break;
                case '(' or '[':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add((from, i));
                    from = i + 1;
                    break;
            }
        }

        parts.Add((from, end));
        return parts;
    }

    private static GjsonSyntaxException Error(string full, int position, string problem) =>
        new($"condition '{full}', position {position + 1}: {problem}");
}
