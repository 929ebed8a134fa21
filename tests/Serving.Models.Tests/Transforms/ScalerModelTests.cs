using Serving.Models.Tests.Onnx;
using Serving.Models.Transforms;

namespace Serving.Models.Tests.Transforms;

public sealed class ScalerModelTests
{
    [Fact]
    public void Scales_each_feature_under_onnx_runtime()
    {
        var scaled = OrtRun.Floats(
            ScalerModel.Build([0.1f, 0.1f, 0.1f, 0.1f]), ScalerModel.InputName, [68f, 28f, 48f, 14f, 51f, 35f, 14f, 2f], [2, 4], ScalerModel.OutputName);

        Assert.Equal([6.8f, 2.8f, 4.8f, 1.4f, 5.1f, 3.5f, 1.4f, 0.2f], scaled, (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void The_committed_sample_is_what_the_builder_writes() =>
        Assert.Equal(
            ScalerModel.Build([0.1f, 0.1f, 0.1f, 0.1f]),
            File.ReadAllBytes(Path.Combine(RepoPaths.Root, "samples", "models", "iris-mm-to-cm", "model.onnx")));

    [Fact]
    public void No_factors_is_refused() => Assert.Throws<ArgumentException>(() => ScalerModel.Build([]));
}
