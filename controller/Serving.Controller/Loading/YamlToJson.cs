using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Serving.Controller.Loading;

/// <summary>
/// Converts a parsed YAML node to JSON, recording where each JSON path came from so that type errors found later can
/// point at a YAML line. Plain scalars are typed like the YAML 1.2 core schema (<c>true</c>/<c>false</c>, numbers, null),
/// except that integers follow Go's <c>ParseInt(s, 0, 64)</c> as Kubernetes' YAML reader does (<c>0644</c> is octal);
/// <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c> stay strings. Quoted and block scalars are always strings.
/// </summary>
internal sealed partial class YamlToJson
{
    // Alias expansion can grow a small file without bound ("billion laughs"); real manifests are far below this.
    private const int MaxNodes = 100_000;
    private const int MaxDepth = 256;

    private readonly Dictionary<string, Mark> _positions = new(StringComparer.Ordinal);
    private int _nodes;

    private YamlToJson()
    {
    }

    /// <summary>Where the value at a JSON path (System.Text.Json's <c>$.a.b[0]</c> form) starts in the YAML text.</summary>
    public IReadOnlyDictionary<string, Mark> Positions => _positions;

    public static (byte[] Json, YamlToJson Map) Convert(YamlNode root)
    {
        var converter = new YamlToJson();
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            converter.Write(writer, root, "$", 0);
        }

        return (stream.ToArray(), converter);
    }

    private void Write(Utf8JsonWriter writer, YamlNode node, string path, int depth)
    {
        if (++_nodes > MaxNodes || depth > MaxDepth)
        {
            throw new YamlException(node.Start, node.End, "document too large or too deeply nested (alias expansion?)");
        }

        _positions.TryAdd(path, node.Start);
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (keyNode, value) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new YamlException(keyNode.Start, keyNode.End, "mapping keys must be plain strings");
                    }

                    writer.WritePropertyName(key);
                    Write(writer, value, Append(path, key), depth + 1);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                int index = 0;
                foreach (var item in sequence.Children)
                {
                    Write(writer, item, $"{path}[{index++}]", depth + 1);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new YamlException(node.Start, node.End, $"unsupported YAML node {node.NodeType}");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        string text = scalar.Value ?? "";
        string? tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
        if (tag is "tag:yaml.org,2002:str" || (!plain && tag is null))
        {
            writer.WriteStringValue(text);
            return;
        }

        if (tag is null or "tag:yaml.org,2002:null" && text is "" or "~" or "null" or "Null" or "NULL")
        {
            writer.WriteNullValue();
        }
        else if (text is "true" or "True" or "TRUE")
        {
            writer.WriteBooleanValue(true);
        }
        else if (text is "false" or "False" or "FALSE")
        {
            writer.WriteBooleanValue(false);
        }
        else if (TryInteger(text, out string? integer))
        {
            writer.WriteRawValue(integer, skipInputValidation: true);
        }
        else if (FloatPattern().IsMatch(text) && double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) is var number && double.IsFinite(number))
        {
            // JSON has no leading '+', no bare '.5' and no '1.'; such spellings are rewritten, others kept verbatim.
            if (JsonNumberPattern().IsMatch(text))
            {
                writer.WriteRawValue(text, skipInputValidation: true);
            }
            else
            {
                writer.WriteNumberValue(number);
            }
        }
        else
        {
            // .inf/.nan, numbers beyond a float64 (1e999: Go's YAML reads them as strings too, having failed to parse a
            // float) and everything else: JSON cannot hold infinities, and a string field reads them as written.
            writer.WriteStringValue(text);
        }
    }

    /// <summary>Go's <c>strconv.ParseInt(s, 0, 64)</c> syntax: sign, 0x/0o/0b prefixes, leading-zero octal, underscores.</summary>
    private static bool TryInteger(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? json)
    {
        json = null;
        var match = IntegerPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        bool negative = match.Groups["sign"].Value == "-";
        string digits = match.Groups["digits"].Value.Replace("_", "", StringComparison.Ordinal);
        string prefix = match.Groups["prefix"].Value.ToLowerInvariant();
        int radix = prefix switch
        {
            "0x" => 16,
            "0o" => 8,
            "0b" => 2,
            _ => digits.Length > 1 && digits[0] == '0' ? 8 : 10,
        };

        BigInteger value = BigInteger.Zero;
        foreach (char c in digits)
        {
            int digit = c <= '9' ? c - '0' : (char.ToLowerInvariant(c) - 'a') + 10;
            if (digit >= radix)
            {
                return false;
            }

            value = (value * radix) + digit;
        }

        json = (negative ? -value : value).ToString(CultureInfo.InvariantCulture);
        return true;
    }

    private static string Append(string path, string key) =>
        SimpleName().IsMatch(key) ? $"{path}.{key}" : $"{path}['{key}']";

    [GeneratedRegex(@"^(?<sign>[-+]?)(?<prefix>0[xX]|0[oO]|0[bB])?(?<digits>[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumberPattern();

    // System.Text.Json writes other property names in a path as ['name'].
    [GeneratedRegex(@"^[A-Za-z0-9_$-]+$")]
    private static partial Regex SimpleName();
}
