using Serving.Models.Onnx;

namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>Small ONNX models written by the project's own builder.</summary>
internal static class TestModels
{
    /// <summary>y = x, for any element type.</summary>
    public static byte[] Identity(OnnxElementType type, params object[] dims) => new OnnxModelBuilder()
        .AddInput("x", type, dims)
        .AddOutput("y", type, dims)
        .AddNode("Identity", ["x"], ["y"])
        .Build();

    /// <summary>y = 2x on FP32 ["batch", 4]: every row's answer is its own, so mixed-up batches show.</summary>
    public static byte[] Doubler() => new OnnxModelBuilder()
        .AddInput("x", OnnxElementType.Float, "batch", 4)
        .AddOutput("y", OnnxElementType.Float, "batch", 4)
        .AddInitializer("two", [2f], 1)
        .AddNode("Mul", ["x", "two"], ["y"])
        .Build();

    /// <summary>sum = a + b, difference = a - b, on FP32 ["batch", 2].</summary>
    public static byte[] TwoInputs() => new OnnxModelBuilder()
        .AddInput("a", OnnxElementType.Float, "batch", 2)
        .AddInput("b", OnnxElementType.Float, "batch", 2)
        .AddOutput("sum", OnnxElementType.Float, "batch", 2)
        .AddOutput("difference", OnnxElementType.Float, "batch", 2)
        .AddNode("Add", ["a", "b"], ["sum"])
        .AddNode("Sub", ["a", "b"], ["difference"])
        .Build();

    /// <summary>Flattens ["batch", 4] to ["n"]: the first output dimension is dynamic but is not the batch.</summary>
    public static byte[] FlattensBatch() => new OnnxModelBuilder()
        .AddInput("x", OnnxElementType.Float, "batch", 4)
        .AddOutput("y", OnnxElementType.Float, "n")
        .AddInitializer("flat", [-1L], 1)
        .AddNode("Reshape", ["x", "flat"], ["y"])
        .Build();
}
