using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Serving.Models.Tests.Onnx;

/// <summary>Runs a one-input model on the CPU.</summary>
internal static class OrtRun
{
    public static float[] Floats(byte[] model, string input, float[] values, int[] dims, string output)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(values, dims))]);
        return results.Single(r => r.Name == output).AsTensor<float>().ToArray();
    }
}
