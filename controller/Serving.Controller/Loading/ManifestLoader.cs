using System.Text.Json;
using Serving.Controller.Api;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serving.Controller.Loading;

/// <summary>
/// Reads KServe manifests: YAML (one or more documents separated by <c>---</c>) or JSON, into typed objects chosen by
/// <c>apiVersion</c>/<c>kind</c>. Fields the types do not model are kept (see each type's <c>ExtensionData</c>).
/// </summary>
public static class ManifestLoader
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
        // JSON is read as JSON (exact positions, no YAML typing rules). Text starting with '{' that is not JSON may still
        // be a YAML flow map; when YAML loads nothing from it either, the JSON error is the one that helps.
        LoadError? jsonError = null;
        if (text.AsSpan().TrimStart().StartsWith("{") && TryLoadJson(text, source, objects, errors, out jsonError))
        {
            return new LoadResult(objects, errors);
        }

        var yamlErrors = new List<LoadError>();
        LoadYaml(text, source, objects, yamlErrors);
        if (jsonError is not null && objects.Count == 0)
        {
            yamlErrors = [jsonError];
        }

        errors.AddRange(yamlErrors);
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
                errors.Add(new LoadError(source, document, e.Start.Line + chunk.FirstLine - 1, e.Start.Column, LoadProblem.Syntax, LoadMessages.Yaml(e)));
                continue;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                // YamlDotNet's scanner throws these on some malformed input (found by fuzzing) instead of a YamlException.
                document++;
                errors.Add(new LoadError(source, document, chunk.FirstLine, 1, LoadProblem.Syntax, $"YAML that cannot be read: {e.Message}"));
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
                    errors.Add(context.Error(e.Start, LoadProblem.Syntax, LoadMessages.Yaml(e)));
                    continue;
                }

                using var parsed = JsonDocument.Parse(json);
                Dispatch(parsed.RootElement, context with { Positions = map.Positions, Start = yamlDocument.RootNode.Start }, objects, errors);
            }
        }
    }

    private static bool TryLoadJson(string text, string source, List<LoadedObject> objects, List<LoadError> errors, out LoadError? syntaxError)
    {
        syntaxError = null;
        JsonDocument parsed;
        try
        {
            parsed = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            syntaxError = new LoadError(source, 1, e.LineNumber + 1, e.BytePositionInLine + 1, LoadProblem.Syntax, LoadMessages.Json(e));
            return false;
        }

        using (parsed)
        {
            Dispatch(parsed.RootElement, new DocumentContext(source, 1, 1), objects, errors);
        }

        return true;
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
            errors.Add(context.Error(path, LoadProblem.Schema, $"{Display(context.PathPrefix + path[1..])}: {LoadMessages.Json(e)}"));
            return;
        }

        if (string.IsNullOrEmpty(value.Metadata?.Name)) // metadata: null deserializes to null (found by fuzzing)
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
}
