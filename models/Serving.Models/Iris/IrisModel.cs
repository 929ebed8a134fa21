using Serving.Models.Onnx;

namespace Serving.Models.Iris;

/// <summary>
/// The ONNX graph of an <see cref="IrisClassifier"/>, with sklearn-onnx's classifier names:
/// <c>float_input</c> [batch, 4] → <c>label</c> int64 [batch] and <c>probabilities</c> float [batch, 3].
/// </summary>
public static class IrisModel
{
    public const string InputName = "float_input";
    public const string LabelOutputName = "label";
    public const string ProbabilitiesOutputName = "probabilities";

    public static byte[] Build(IrisClassifier classifier)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        const long features = IrisDataset.FeatureCount;
        const long classes = IrisDataset.ClassCount;

        return new OnnxModelBuilder("iris_logistic_regression")
            .AddInput(InputName, OnnxElementType.Float, "batch", features)
            .AddInitializer("W", classifier.Weights, features, classes)
            .AddInitializer("B", classifier.Bias, classes)
            .AddNode("MatMul", [InputName, "W"], ["xw"])
            .AddNode("Add", ["xw", "B"], ["logits"])
            .AddNode("Softmax", ["logits"], [ProbabilitiesOutputName], ("axis", -1L))
            .AddNode("ArgMax", ["logits"], [LabelOutputName], ("axis", 1L), ("keepdims", 0L))
            .AddOutput(LabelOutputName, OnnxElementType.Int64, "batch")
            .AddOutput(ProbabilitiesOutputName, OnnxElementType.Float, "batch", classes)
            .AddMetadata("classes", string.Join(",", IrisDataset.ClassNames))
            .Build();
    }
}
