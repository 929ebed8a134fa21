using Serving.Models.Onnx;

namespace Serving.Models.Transforms;

/// <summary>
/// A feature scaler as an ONNX model: <c>float_input</c> [batch, n] times a constant per feature. The sample
/// InferenceGraph uses it as its transformer-like first step (millimetres in, the iris model's centimetres out),
/// so a whole graph runs on the project's own models with no network.
/// </summary>
public static class ScalerModel
{
    public const string InputName = "float_input";
    public const string OutputName = "scaled";

    public static byte[] Build(float[] factors)
    {
        ArgumentNullException.ThrowIfNull(factors);
        if (factors.Length == 0)
        {
            throw new ArgumentException("a scaler needs at least one factor", nameof(factors));
        }

        return new OnnxModelBuilder("feature_scaler")
            .AddInput(InputName, OnnxElementType.Float, "batch", (long)factors.Length)
            .AddInitializer("factors", factors, factors.Length)
            .AddNode("Mul", [InputName, "factors"], [OutputName])
            .AddOutput(OutputName, OnnxElementType.Float, "batch", (long)factors.Length)
            .Build();
    }
}
