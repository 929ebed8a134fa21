namespace Serving.Controller.Loading;

/// <summary>
/// Splits a multi-document YAML file the way kubectl does (<c>k8s.io/apimachinery/pkg/util/yaml.YAMLReader</c>): a line
/// that starts with <c>---</c> followed only by whitespace ends a document. Splitting before parsing means a syntax error
/// in one document does not hide the others.
/// </summary>
internal static class YamlDocuments
{
    internal readonly record struct Chunk(string Text, int FirstLine);

    public static IEnumerable<Chunk> Split(string text)
    {
        var current = new System.Text.StringBuilder();
        int firstLine = 1;
        int lineNumber = 0;
        using var reader = new StringReader(text);
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.StartsWith("---", StringComparison.Ordinal) && line.AsSpan(3).Trim().IsEmpty)
            {
                yield return new Chunk(current.ToString(), firstLine);
                current.Clear();
                firstLine = lineNumber + 1;
                continue;
            }

            current.Append(line).Append('\n');
        }

        yield return new Chunk(current.ToString(), firstLine);
    }
}
