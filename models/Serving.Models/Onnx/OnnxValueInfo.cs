using Serving.Models.Onnx.Proto;

namespace Serving.Models.Onnx;

/// <summary>Graph input/output declarations: a name, an element type and a shape.</summary>
internal static class OnnxValueInfo
{
    public static ValueInfoProto Create(string name, OnnxElementType type, object[] dims)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(dims);
        OnnxTensors.CheckDefined(type);

        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(ToDimension(name, dim));
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static TensorShapeProto.Types.Dimension ToDimension(string valueName, object dim) => dim switch
    {
        long fixedSize and >= 0 => new() { DimValue = fixedSize },
        int fixedSize and >= 0 => new() { DimValue = fixedSize },
        string symbol when symbol.Length > 0 => new() { DimParam = symbol },
        _ => throw new ArgumentException(
            $"Dimension '{dim}' of '{valueName}' must be a non-negative long (fixed) or a non-empty string (symbolic).",
            nameof(dim)),
    };
}
