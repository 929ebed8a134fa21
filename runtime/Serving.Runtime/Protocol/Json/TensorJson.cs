using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Serving.Runtime.Tensors;

namespace Serving.Runtime.Protocol.Json;

/// <summary>Tensor data as JSON: nested or flat row-major arrays in, flat or nested arrays out.</summary>
internal static class TensorJson
{
    /// <summary>Decodes <paramref name="data"/> (nested or flat) for a tensor of the given shape.</summary>
    public static Tensor Decode(string name, DataType type, long[] shape, JsonElement data)
    {
        if (type is DataType.FP16 or DataType.BF16)
        {
            throw InferenceException.BadInput(
                $"input '{name}': receiving {type.WireName()} data via JSON is not supported; send it with the binary tensor extension");
        }

        long expected = Shapes.ElementCount(shape);
        if (expected < 0)
        {
            throw InferenceException.BadInput($"input '{name}': shape {Shapes.Format(shape)} is too large");
        }

        long actual = CountLeaves(data);
        if (actual != expected)
        {
            throw InferenceException.BadInput(
                $"input '{name}': shape {Shapes.Format(shape)} needs {expected} elements but data has {actual}");
        }

        int count = (int)actual;
        if (type == DataType.Bytes)
        {
            var elements = new ReadOnlyMemory<byte>[count];
            int index = 0;
            FillStrings(name, data, elements, ref index);
            return new Tensor(name, shape, elements);
        }

        byte[] buffer = new byte[count * type.ElementSize()];
        switch (type)
        {
            case DataType.Bool: Fill<byte, BoolReader>(name, type, data, buffer); break;
            case DataType.UInt8: Fill<byte, IntegerReader<byte>>(name, type, data, buffer); break;
            case DataType.UInt16: Fill<ushort, IntegerReader<ushort>>(name, type, data, buffer); break;
            case DataType.UInt32: Fill<uint, IntegerReader<uint>>(name, type, data, buffer); break;
            case DataType.UInt64: Fill<ulong, IntegerReader<ulong>>(name, type, data, buffer); break;
            case DataType.Int8: Fill<sbyte, IntegerReader<sbyte>>(name, type, data, buffer); break;
            case DataType.Int16: Fill<short, IntegerReader<short>>(name, type, data, buffer); break;
            case DataType.Int32: Fill<int, IntegerReader<int>>(name, type, data, buffer); break;
            case DataType.Int64: Fill<long, IntegerReader<long>>(name, type, data, buffer); break;
            case DataType.FP32: Fill<float, Fp32Reader>(name, type, data, buffer); break;
            case DataType.FP64: Fill<double, Fp64Reader>(name, type, data, buffer); break;
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }

        return new Tensor(name, type, shape, buffer);
    }

    /// <summary>The shape of a rectangular nested array; a scalar has shape [].</summary>
    public static long[] InferShape(string name, JsonElement data)
    {
        var dims = new List<long>();
        for (var e = data; e.ValueKind == JsonValueKind.Array; e = e[0])
        {
            dims.Add(e.GetArrayLength());
            if (e.GetArrayLength() == 0)
            {
                break;
            }
        }

        long[] shape = [.. dims];
        CheckRectangular(name, data, shape, 0);
        return shape;
    }

    public static void WriteFlat(Utf8JsonWriter writer, Tensor tensor)
    {
        writer.WriteStartArray();
        long count = tensor.ElementCount;
        for (long i = 0; i < count; i++)
        {
            WriteElement(writer, tensor, (int)i);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes elements [start, start + size of shape) nested by <paramref name="shape"/>.</summary>
    public static void WriteNested(Utf8JsonWriter writer, Tensor tensor, ReadOnlySpan<long> shape, ref int index)
    {
        if (shape.IsEmpty)
        {
            WriteElement(writer, tensor, index++);
            return;
        }

        writer.WriteStartArray();
        for (long i = 0; i < shape[0]; i++)
        {
            WriteNested(writer, tensor, shape[1..], ref index);
        }

        writer.WriteEndArray();
    }

    public static void WriteElement(Utf8JsonWriter writer, Tensor tensor, int i)
    {
        var data = tensor.Data.Span;
        switch (tensor.DataType)
        {
            case DataType.Bool: writer.WriteBooleanValue(data[i] != 0); break;
            case DataType.UInt8: writer.WriteNumberValue(data[i]); break;
            case DataType.Int8: writer.WriteNumberValue((sbyte)data[i]); break;
            case DataType.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..])); break;
            case DataType.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..])); break;
            case DataType.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 4)..])); break;
            case DataType.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..])); break;
            case DataType.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..])); break;
            case DataType.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..])); break;
            case DataType.FP16: WriteDouble(writer, (double)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..])); break;
            case DataType.BF16: WriteDouble(writer, BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]) << 16)); break;
            case DataType.FP32: WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..])); break;
            case DataType.FP64: WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..])); break;
            case DataType.Bytes: writer.WriteStringValue(Encoding.UTF8.GetString(tensor.Elements![i].Span)); break;
            default: throw new ArgumentOutOfRangeException(nameof(tensor));
        }
    }

    // JSON has no NaN or infinities: write them as the strings .NET and NumPy print.
    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static long CountLeaves(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return 1;
        }

        long count = 0;
        foreach (var child in element.EnumerateArray())
        {
            count += CountLeaves(child);
        }

        return count;
    }

    private static void CheckRectangular(string name, JsonElement element, long[] shape, int depth)
    {
        bool isArray = element.ValueKind == JsonValueKind.Array;
        if (depth == shape.Length ? isArray : !isArray || element.GetArrayLength() != shape[depth])
        {
            throw InferenceException.BadInput(
                $"input '{name}' is not a rectangular array: expected shape {Shapes.Format(shape)}, found a ragged or mixed nesting at depth {depth}");
        }

        if (isArray)
        {
            foreach (var child in element.EnumerateArray())
            {
                CheckRectangular(name, child, shape, depth + 1);
            }
        }
    }

    private static void FillStrings(string name, JsonElement element, ReadOnlyMemory<byte>[] elements, ref int index)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in element.EnumerateArray())
            {
                FillStrings(name, child, elements, ref index);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            throw BadElement(name, DataType.Bytes, index, element);
        }

        elements[index++] = Encoding.UTF8.GetBytes(element.GetString()!);
    }

    private static void Fill<T, TReader>(string name, DataType type, JsonElement data, byte[] buffer)
        where T : unmanaged
        where TReader : IElementReader<T>
    {
        var target = MemoryMarshal.Cast<byte, T>(buffer.AsSpan());
        int index = 0;
        FillRecursive<T, TReader>(name, type, data, target, ref index);
    }

    private static void FillRecursive<T, TReader>(string name, DataType type, JsonElement element, Span<T> target, ref int index)
        where T : unmanaged
        where TReader : IElementReader<T>
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in element.EnumerateArray())
            {
                FillRecursive<T, TReader>(name, type, child, target, ref index);
            }

            return;
        }

        if (!TReader.TryRead(element, out target[index]))
        {
            throw BadElement(name, type, index, element);
        }

        index++;
    }

    private static InferenceException BadElement(string name, DataType type, int index, JsonElement element)
    {
        string raw = element.GetRawText();
        if (raw.Length > 40)
        {
            raw = raw[..40] + "...";
        }

        string why = element.ValueKind != JsonValueKind.Number ? ""
            : type is DataType.FP32 or DataType.FP64 ? $" (outside {type.WireName()}'s finite range)"
            : element.TryGetInt64(out _) || element.TryGetUInt64(out _) ? $" (outside {type.WireName()}'s range)"
            : " (not an integer, or outside the range of any integer type)";
        return InferenceException.BadInput($"input '{name}': element {index} is not a valid {type.WireName()}: {raw}{why}");
    }

    private interface IElementReader<T>
    {
        static abstract bool TryRead(JsonElement e, out T value);
    }

    private readonly struct BoolReader : IElementReader<byte>
    {
        public static bool TryRead(JsonElement e, out byte value)
        {
            value = e.ValueKind == JsonValueKind.True ? (byte)1 : (byte)0;
            return e.ValueKind is JsonValueKind.True or JsonValueKind.False;
        }
    }

    /// <summary>Any integer type: the JSON number must be integral and within the type's range.</summary>
    private readonly struct IntegerReader<T> : IElementReader<T>
        where T : IBinaryInteger<T>, IMinMaxValue<T>
    {
        private static readonly Int128 Min = Int128.CreateTruncating(T.MinValue);
        private static readonly Int128 Max = Int128.CreateTruncating(T.MaxValue);

        public static bool TryRead(JsonElement e, out T value)
        {
            value = T.Zero;
            Int128 wide;
            if (e.ValueKind != JsonValueKind.Number)
            {
                return false;
            }
            else if (e.TryGetInt64(out long signed))
            {
                wide = signed;
            }
            else if (e.TryGetUInt64(out ulong unsigned))
            {
                wide = unsigned;
            }
            else
            {
                return false;
            }

            if (wide < Min || wide > Max)
            {
                return false;
            }

            value = T.CreateTruncating(wide);
            return true;
        }
    }

    private readonly struct Fp32Reader : IElementReader<float>
    {
        public static bool TryRead(JsonElement e, out float value)
        {
            if (e.ValueKind == JsonValueKind.Number)
            {
                // .NET parses a number beyond float's range as an infinity: refused, it is not the number the client sent.
                return e.TryGetSingle(out value) && float.IsFinite(value);
            }

            double named = 0;
            bool ok = e.ValueKind == JsonValueKind.String && TryNamed(e.GetString(), out named);
            value = (float)named;
            return ok;
        }
    }

    private readonly struct Fp64Reader : IElementReader<double>
    {
        public static bool TryRead(JsonElement e, out double value)
        {
            value = 0;
            return e.ValueKind switch
            {
                JsonValueKind.Number => e.TryGetDouble(out value) && double.IsFinite(value),
                JsonValueKind.String => TryNamed(e.GetString(), out value),
                _ => false,
            };
        }
    }

    private static bool TryNamed(string? text, out double value)
    {
        value = text switch
        {
            "NaN" => double.NaN,
            "Infinity" or "inf" => double.PositiveInfinity,
            "-Infinity" or "-inf" => double.NegativeInfinity,
            _ => 0,
        };
        return text is "NaN" or "Infinity" or "inf" or "-Infinity" or "-inf";
    }
}
