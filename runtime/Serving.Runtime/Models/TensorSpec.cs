using Serving.Runtime.Tensors;

namespace Serving.Runtime.Models;

/// <summary>A model input or output as the V2 metadata reports it; -1 marks a dynamic dimension.</summary>
public sealed record TensorSpec(string Name, DataType DataType, long[] Shape)
{
    public bool HasDynamicBatch => Shape.Length > 0 && Shape[0] < 0;
}
