using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serving.Controller.Api;

/// <summary>
/// The serializer settings for the API types: nulls are omitted (Go's <c>omitempty</c>), and a string field also accepts a
/// number or boolean as its literal text, since YAML users write <c>version: 1</c> or <c>cpu: 1</c> unquoted.
/// </summary>
public static class KubeJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    public static string Serialize<T>(T value, bool indented = false) =>
        JsonSerializer.Serialize(value, indented ? Indented : Options);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = indented,
            // Manifests carry URLs and Go templates ({{.Name}}); escaping '<', '&' or '+' would only make them unreadable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
        };
        options.Converters.Add(new LenientStringConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
