using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Serving.Controller.Api;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serving.Controller.Loading;

/// <summary>
/// Reads KServe manifests: YAML (one or more documents separated by <c>---</c>) or JSON, into typed objects chosen by
/// <c>apiVersion</c>/<c>kind</c>. Fields the types do not model are kept (see each type's <c>ExtensionData</c>).
/// </summary>
public static partial class ManifestLoader
{
    public static LoadResult LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LoadResult([], [new LoadError(path, null, null, null, LoadProblem.Io, e.Message)]);
        }

        return Load(text, path);
    }

    /// <summary>Every <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> directly in <paramref name="directory"/>, in name order (as <c>kubectl apply -f dir</c>).</summary>
    public static LoadResult LoadDirectory(string directory)
    {
        var result = LoadResult.Empty;
        var files = Directory.EnumerateFiles(directory)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".yaml" or ".yml" or ".json")
            .Order(StringComparer.Ordinal);
        foreach (string file in files)
        {
            result = result.Concat(LoadFile(file));
        }

        return result;
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in errors (a file path or "stdin").</summary>
    public static LoadResult Load(string text, string source)
    {
        var objects = new List<LoadedObject>();
        var errors = new List<LoadError>();
        if (text.AsSpan().TrimStart().StartsWith("{"))
        {
            LoadJson(text, source, objects, errors);
        }
        else
        {
            LoadYaml(text, source, objects, errors);
        }

        return new LoadResult(objects, errors);
    }

    private static void LoadYaml(string text, string source, List<LoadedObject> objects, List<LoadError> errors)
    {
        int document = 0;
        foreach (var chunk in YamlDocuments.Split(text))
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new MergingParser(new Parser(new StringReader(chunk.Text))));
            }
            catch (YamlException e)
            {
                document++;
                errors.Add(new LoadError(source, document, e.Start.Line + chunk.FirstLine - 1, e.Start.Column, LoadProblem.Syntax, YamlMessage(e)));
                continue;
            }

            foreach (var yamlDocument in stream.Documents)
            {
                if (yamlDocument.RootNode is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: "" or "~" or "null" or null })
                {
                    continue; // an empty document, e.g. after a trailing '---'
                }

                document++;
                var context = new DocumentContext(source, document, chunk.FirstLine);
                byte[] json;
                YamlToJson map;
                try
                {
                    (json, map) = YamlToJson.Convert(yamlDocument.RootNode);
                }
                catch (YamlException e)
                {
                    errors.Add(context.Error(e.Start, LoadProblem.Syntax, YamlMessage(e)));
                    continue;
                }

                using var parsed = JsonDocument.Parse(json);
                Dispatch(parsed.RootElement, context with { Positions = map.Positions, Start = yamlDocument.RootNode.Start }, objects, errors);
            }
        }
    }

    private static void LoadJson(string text, string source, List<LoadedObject> objects, List<LoadError> errors)
    {
        var context = new DocumentContext(source, 1, 1);
        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            errors.Add(new LoadError(source, 1, e.LineNumber + 1, e.BytePositionInLine + 1, LoadProblem.Syntax, JsonMessage(e)));
            return;
        }

        using (parsed)
        {
            Dispatch(parsed.RootElement, context, objects, errors);
        }
    }

    private static void Dispatch(JsonElement root, DocumentContext context, List<LoadedObject> objects, List<LoadError> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add(context.Error("$", LoadProblem.NotAnObject, "expected an object with apiVersion and kind"));
            return;
        }

        string? apiVersion = StringProperty(root, "apiVersion");
        string? kind = StringProperty(root, "kind");
        if (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind))
        {
            var missing = new[] { (apiVersion, "apiVersion not set"), (kind, "kind not set") }
                .Where(p => string.IsNullOrEmpty(p.Item1)).Select(p => p.Item2);
            errors.Add(context.Error("$", LoadProblem.NotAnObject, string.Join(", ", missing)));
            return;
        }

        // kubectl accepts a v1 List of objects; its items are loaded as if each were a document of its own.
        if (kind == "List" && apiVersion == "v1")
        {
            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                int index = 0;
                foreach (var item in items.EnumerateArray())
                {
                    Dispatch(item, context with { PathPrefix = $"{context.PathPrefix}.items[{index++}]" }, objects, errors);
                }
            }

            return;
        }

        if (!KindRegistry.TryGet(apiVersion, kind, out var type, out string? problem))
        {
            errors.Add(context.Error("$", LoadProblem.UnknownKind, problem));
            return;
        }

        IKubeObject value;
        try
        {
            value = (IKubeObject)root.Deserialize(type, KubeJson.Options)!;
        }
        catch (JsonException e)
        {
            string path = e.Path ?? "$";
            errors.Add(context.Error(path, LoadProblem.Schema, $"{Display(context.PathPrefix + path[1..])}: {JsonMessage(e)}"));
            return;
        }

        if (string.IsNullOrEmpty(value.Metadata.Name))
        {
            errors.Add(context.Error("$.metadata", LoadProblem.MissingName, $"{kind} metadata.name is required"));
            return;
        }

        objects.Add(new LoadedObject(context.Source, context.Document, value));
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>JSON path <c>$.spec.predictor.minReplicas</c> → <c>spec.predictor.minReplicas</c> (kubectl's field notation).</summary>
    private static string Display(string path) => path.TrimStart('$').TrimStart('.') is { Length: > 0 } p ? p : "(root)";

    private static string YamlMessage(YamlException e) => YamlMarks().Replace(e.Message, "");

    /// <summary>System.Text.Json's messages name CLR types; say what the manifest should have held instead.</summary>
    private static string JsonMessage(JsonException e)
    {
        string message = JsonPosition().Replace(e.Message, "");
        var converted = ConvertedTo().Match(message);
        if (!converted.Success)
        {
            return message.TrimEnd('.');
        }

        string type = converted.Groups[1].Value;
        return type switch
        {
            _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) => "expected an integer",
            _ when type.Contains("Boolean", StringComparison.Ordinal) => "expected true or false",
            _ when type.Contains("IReadOnlyList", StringComparison.Ordinal) || type.Contains("List`", StringComparison.Ordinal) => "expected a list",
            _ when type.Contains("Dictionary", StringComparison.Ordinal) => "expected a map of strings",
            _ when type.Contains("String", StringComparison.Ordinal) => "expected a string",
            _ => "expected an object",
        };
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlMarks();

    [GeneratedRegex(@"( Path: .*)?( \| LineNumber: \d+ \| BytePositionInLine: \d+\.)?$")]
    private static partial Regex JsonPosition();

    [GeneratedRegex(@"could not be converted to ([^ ]+?)\.?( |$)")]
    private static partial Regex ConvertedTo();

    private sealed record DocumentContext(string Source, int Document, int FirstLine)
    {
        public IReadOnlyDictionary<string, Mark>? Positions { get; init; }

        public Mark Start { get; init; } = Mark.Empty;

        /// <summary>Set for items of a <c>List</c>, so that paths and positions refer to the whole document.</summary>
        public string PathPrefix { get; init; } = "$";

        public LoadError Error(Mark mark, LoadProblem problem, string message) =>
            new(Source, Document, mark.Line + FirstLine - 1, mark.Column, problem, message);

        /// <summary>An error at a JSON path: the YAML position of that path, or of its nearest recorded parent.</summary>
        public LoadError Error(string path, LoadProblem problem, string message)
        {
            string full = PathPrefix + path[1..];
            if (Positions is null)
            {
                return new LoadError(Source, Document, null, null, problem, message);
            }

            while (true)
            {
                if (Positions.TryGetValue(full, out var mark))
                {
                    return Error(mark, problem, message);
                }

                int cut = Math.Max(full.LastIndexOf('.'), full.LastIndexOf('['));
                if (cut <= 0)
                {
                    return Error(Start, problem, message);
                }

                full = full[..cut];
            }
        }
    }
}
