using System.Text;
using Google.Protobuf;
using Serving.Models.Onnx.Proto;

namespace Serving.Models.Onnx;

/// <summary>Maps a CLR attribute value onto the matching ONNX attribute kind.</summary>
internal static class OnnxAttributes
{
    public static AttributeProto Create(string name, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);

        var attribute = new AttributeProto { Name = name };
        switch (value)
        {
            case long i:
                attribute.Type = AttributeProto.Types.AttributeType.Int;
                attribute.I = i;
                break;
            case int i:
                attribute.Type = AttributeProto.Types.AttributeType.Int;
                attribute.I = i;
                break;
            case float f:
                attribute.Type = AttributeProto.Types.AttributeType.Float;
                attribute.F = f;
                break;
            case string s:
                attribute.Type = AttributeProto.Types.AttributeType.String;
                attribute.S = ByteString.CopyFrom(Encoding.UTF8.GetBytes(s));
                break;
            case long[] ints:
                attribute.Type = AttributeProto.Types.AttributeType.Ints;
                attribute.Ints.Add(ints);
                break;
            case int[] ints:
                attribute.Type = AttributeProto.Types.AttributeType.Ints;
                attribute.Ints.Add(ints.Select(i => (long)i));
                break;
            case float[] floats:
                attribute.Type = AttributeProto.Types.AttributeType.Floats;
                attribute.Floats.Add(floats);
                break;
            case null:
                throw new ArgumentNullException(nameof(value), $"Attribute '{name}' has no value.");
            default:
                // No silent narrowing: a double attribute must be written as a float on purpose.
                throw new ArgumentException(
                    $"Attribute '{name}' has a {value.GetType().Name} value; use long, int, float, string, long[], int[] or float[].",
                    nameof(value));
        }

        return attribute;
    }
}
