namespace Serving.Runtime.Tensors;

/// <summary>
/// A named tensor. Fixed-size elements live row-major and little-endian in <see cref="Data"/>;
/// BYTES elements live one per entry in <see cref="Elements"/>.
/// </summary>
public sealed class Tensor
{
    public Tensor(string name, DataType dataType, long[] shape, ReadOnlyMemory<byte> data)
    {
        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
    }

    public Tensor(string name, long[] shape, ReadOnlyMemory<byte>[] elements)
    {
        Name = name;
        DataType = DataType.Bytes;
        Shape = shape;
        Elements = elements;
    }

    public string Name { get; }

    public DataType DataType { get; }

    public long[] Shape { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public ReadOnlyMemory<byte>[]? Elements { get; }

    public long ElementCount => Shapes.ElementCount(Shape);

    /// <summary>Size of the tensor in the binary tensor extension's layout.</summary>
    public long BinarySize
    {
        get
        {
            if (Elements is null)
            {
                return Data.Length;
            }

            long size = 0;
            foreach (var element in Elements)
            {
                size += 4 + element.Length;
            }

            return size;
        }
    }
}
