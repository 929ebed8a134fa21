using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Serving.Telemetry.Tracing;

/// <summary>One span as <see cref="JsonLinesExporter"/> wrote it.</summary>
public sealed record SpanRecord(
    string TraceId, string SpanId, string ParentSpanId, string Name, string Kind, string Service, DateTimeOffset Start, double DurationMs,
    IReadOnlyDictionary<string, string> Attributes)
{
    public DateTimeOffset End => Start.AddMilliseconds(DurationMs);
}

/// <summary>Reads a <c>--trace-to</c> file back, and prints one trace as an indented tree with times.</summary>
public static class TraceFile
{
    public static IReadOnlyList<SpanRecord> Read(string path)
    {
        var spans = new List<SpanRecord>();
        if (!File.Exists(path))
        {
            return spans;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            spans.Add(new SpanRecord(
                root.GetProperty("traceId").GetString()!,
                root.GetProperty("spanId").GetString()!,
                root.GetProperty("parentSpanId").GetString()!,
                root.GetProperty("name").GetString()!,
                root.GetProperty("kind").GetString()!,
                root.GetProperty("service").GetString()!,
                DateTimeOffset.Parse(root.GetProperty("start").GetString()!, CultureInfo.InvariantCulture),
                root.GetProperty("durationMs").GetDouble(),
                root.GetProperty("attributes").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.Ordinal)));
        }

        return spans;
    }

    /// <summary>
    /// The spans of one trace, parents before children, each line: offset from the trace's first span, duration, service,
    /// name and attributes, indented by depth.
    /// </summary>
    public static string Tree(IReadOnlyList<SpanRecord> spans, string traceId)
    {
        var trace = spans.Where(s => s.TraceId == traceId).ToList();
        if (trace.Count == 0)
        {
            return "";
        }

        var ids = trace.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = trace.ToLookup(s => ids.Contains(s.ParentSpanId) ? s.ParentSpanId : "", StringComparer.Ordinal);
        var origin = trace.Min(s => s.Start);
        var text = new StringBuilder();
        void Add(SpanRecord span, int depth)
        {
            string attributes = string.Join(", ", span.Attributes.Select(a => $"{a.Key}={a.Value}"));
            text.Append(CultureInfo.InvariantCulture, $"{(span.Start - origin).TotalMilliseconds,9:0.00} ms {span.DurationMs,9:0.00} ms  ");
            text.Append(' ', depth * 2);
            text.AppendLine(CultureInfo.InvariantCulture, $"{span.Service}: {span.Name}{(attributes.Length == 0 ? "" : $"  [{attributes}]")}");
            foreach (var child in children[span.SpanId].OrderBy(c => c.Start))
            {
                Add(child, depth + 1);
            }
        }

        foreach (var root in children[""].OrderBy(s => s.Start))
        {
            Add(root, 0);
        }

        return text.ToString();
    }
}
