using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serving.Runtime.Tensors;

/// <summary>Open Inference Protocol (V2) tensor datatypes.</summary>
public enum DataType
{
    Bool,
    UInt8,
    UInt16,
    UInt32,
    UInt64,
    Int8,
    Int16,
    Int32,
    Int64,
    FP16,
    FP32,
    FP64,
    BF16,
    Bytes,
}

public static class DataTypes
{
    private static readonly string[] Names =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES"];

    private static readonly int[] Sizes = [1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 2, 0];

    public static string WireName(this DataType type) => Names[(int)type];

    /// <summary>Bytes per element; 0 for BYTES, whose elements vary in length.</summary>
    public static int ElementSize(this DataType type) => Sizes[(int)type];

    public static bool TryParse(string? name, out DataType type)
    {
        int index = name is null ? -1 : Array.IndexOf(Names, name);
        type = index < 0 ? default : (DataType)index;
        return index >= 0;
    }

    public static bool TryFromOnnx(TensorElementType onnx, out DataType type)
    {
        (bool ok, type) = onnx switch
        {
            TensorElementType.Bool => (true, DataType.Bool),
            TensorElementType.UInt8 => (true, DataType.UInt8),
            TensorElementType.UInt16 => (true, DataType.UInt16),
            TensorElementType.UInt32 => (true, DataType.UInt32),
            TensorElementType.UInt64 => (true, DataType.UInt64),
            TensorElementType.Int8 => (true, DataType.Int8),
            TensorElementType.Int16 => (true, DataType.Int16),
            TensorElementType.Int32 => (true, DataType.Int32),
            TensorElementType.Int64 => (true, DataType.Int64),
            TensorElementType.Float16 => (true, DataType.FP16),
            TensorElementType.Float => (true, DataType.FP32),
            TensorElementType.Double => (true, DataType.FP64),
            TensorElementType.BFloat16 => (true, DataType.BF16),
            TensorElementType.String => (true, DataType.Bytes),
            _ => (false, DataType.Bool),
        };
        return ok;
    }

    public static TensorElementType ToOnnx(this DataType type) => type switch
    {
        DataType.Bool => TensorElementType.Bool,
        DataType.UInt8 => TensorElementType.UInt8,
        DataType.UInt16 => TensorElementType.UInt16,
        DataType.UInt32 => TensorElementType.UInt32,
        DataType.UInt64 => TensorElementType.UInt64,
        DataType.Int8 => TensorElementType.Int8,
        DataType.Int16 => TensorElementType.Int16,
        DataType.Int32 => TensorElementType.Int32,
        DataType.Int64 => TensorElementType.Int64,
        DataType.FP16 => TensorElementType.Float16,
        DataType.FP32 => TensorElementType.Float,
        DataType.FP64 => TensorElementType.Double,
        DataType.BF16 => TensorElementType.BFloat16,
        DataType.Bytes => TensorElementType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
