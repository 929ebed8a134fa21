using Microsoft.ML.OnnxRuntime.Tensors;
using Serving.Models.Onnx;

namespace Serving.Models.Tests.Onnx;

public sealed class OnnxElementTypeTests
{
    public static TheoryData<OnnxElementType> AllTypes => [.. Enum.GetValues<OnnxElementType>()];

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Codes_match_onnx_runtime(OnnxElementType type)
    {
        // ONNX Runtime numbers its element types as TensorProto.DataType: an independent check of our codes.
        var ort = Enum.Parse<TensorElementType>(type.ToString());

        Assert.Equal((int)ort, (int)type);
    }

    [Fact]
    public void Covers_the_fourteen_types_we_serve()
    {
        Assert.Equal(14, Enum.GetValues<OnnxElementType>().Length);
    }
}
