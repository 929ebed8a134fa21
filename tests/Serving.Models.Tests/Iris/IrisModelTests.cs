using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serving.Models.Iris;

namespace Serving.Models.Tests.Iris;

public sealed class IrisModelTests
{
    [Fact]
    public void Committed_model_is_what_the_data_regenerates()
    {
        var regenerated = IrisModel.Build(IrisTrainer.Train(IrisDataset.Load(RepoPaths.IrisJson)));

        Assert.True(
            regenerated.AsSpan().SequenceEqual(File.ReadAllBytes(RepoPaths.IrisModel)),
            $"{RepoPaths.IrisModel} is stale: run scripts/make-iris-model.sh and commit it.");
    }

    [Fact]
    public void Committed_model_has_the_sklearn_onnx_signature()
    {
        using var session = new InferenceSession(File.ReadAllBytes(RepoPaths.IrisModel));

        var input = Assert.Single(session.InputMetadata);
        Assert.Equal(IrisModel.InputName, input.Key);
        Assert.Equal(TensorElementType.Float, input.Value.ElementDataType);
        Assert.Equal([-1, 4], input.Value.Dimensions);
        Assert.Equal(TensorElementType.Int64, session.OutputMetadata[IrisModel.LabelOutputName].ElementDataType);
        Assert.Equal([-1], session.OutputMetadata[IrisModel.LabelOutputName].Dimensions);
        Assert.Equal(TensorElementType.Float, session.OutputMetadata[IrisModel.ProbabilitiesOutputName].ElementDataType);
        Assert.Equal([-1, 3], session.OutputMetadata[IrisModel.ProbabilitiesOutputName].Dimensions);
    }

    [Fact]
    public void Committed_model_predicts_versicolor_and_setosa()
    {
        var (labels, probabilities) = Run(File.ReadAllBytes(RepoPaths.IrisModel), [6.8f, 2.8f, 4.8f, 1.4f, 5.1f, 3.5f, 1.4f, 0.2f]);

        Assert.Equal([1L, 0L], labels);
        for (var row = 0; row < 2; row++)
        {
            var p = probabilities.AsSpan(row * 3, 3).ToArray();
            Assert.All(p, x => Assert.InRange(x, 0f, 1f));
            Assert.Equal(1.0, p.Sum(), 5);
            Assert.Equal(labels[row], Array.IndexOf(p, p.Max()));
        }
    }

    [Fact]
    public void Runtime_agrees_with_the_trainer_on_every_sample()
    {
        var data = IrisDataset.Load(RepoPaths.IrisJson);
        var classifier = IrisTrainer.Train(data);
        var features = data.Samples.SelectMany(s => Enumerable.Range(0, 4).Select(j => (float)s.Feature(j))).ToArray();

        var (labels, _) = Run(IrisModel.Build(classifier), features);

        Assert.Equal(data.Samples.Select(s => (long)classifier.Predict(s)), labels);
    }

    private static (long[] Labels, float[] Probabilities) Run(byte[] model, float[] features)
    {
        using var session = new InferenceSession(model);
        var input = new DenseTensor<float>(features, [features.Length / 4, 4]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(IrisModel.InputName, input)]);
        var byName = results.ToDictionary(r => r.Name);
        return (
            byName[IrisModel.LabelOutputName].AsTensor<long>().ToArray(),
            byName[IrisModel.ProbabilitiesOutputName].AsTensor<float>().ToArray());
    }
}
