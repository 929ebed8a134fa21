using Serving.Models.Onnx.Proto;

namespace Serving.Models.Onnx;

/// <summary>Initializer tensors: the header (name, type, dims) shared by every element type.</summary>
internal static class OnnxTensors
{
    public static TensorProto Create(string name, OnnxElementType type, int valueCount, long[] dims)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);

        long expected = 1;
        foreach (var dim in dims)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Initializer '{name}' has a negative dimension ({dim}).", nameof(dims));
            }

            expected = checked(expected * dim);
        }

        if (expected != valueCount)
        {
            throw new ArgumentException(
                $"Initializer '{name}' has {valueCount} values but dims [{string.Join(", ", dims)}] hold {expected}.",
                nameof(dims));
        }

        var tensor = new TensorProto { Name = name, DataType = (int)type };
        tensor.Dims.Add(dims);
        return tensor;
    }

    public static void CheckDefined(OnnxElementType type)
    {
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Not an element type this builder writes.");
        }
    }
}
