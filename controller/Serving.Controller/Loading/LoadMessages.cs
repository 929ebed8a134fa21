using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;

namespace Serving.Controller.Loading;

/// <summary>Parser messages without the parsers' own position text (the error carries line and column).</summary>
internal static partial class LoadMessages
{
    public static string Yaml(YamlException e) => YamlMarks().Replace(e.Message, "");

    /// <summary>System.Text.Json's messages name CLR types; say what the manifest should have held instead.</summary>
    public static string Json(JsonException e)
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
}
