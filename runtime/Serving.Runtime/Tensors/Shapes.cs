namespace Serving.Runtime.Tensors;

public static class Shapes
{
    /// <summary>Number of elements of a shape, or -1 when it overflows a long.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                return -1;
            }

            if (dim != 0 && count > long.MaxValue / dim)
            {
                return -1;
            }

            count *= dim;
        }

        return count;
    }

    public static string Format(ReadOnlySpan<long> shape) => "[" + string.Join(",", shape.ToArray()) + "]";
}
