using Serving.Models.Iris;

namespace Serving.Models.Tests.Iris;

public sealed class IrisTrainerTests
{
    [Fact]
    public void Training_accuracy_is_at_least_95_percent()
    {
        var classifier = IrisTrainer.Train(IrisDataset.Load(RepoPaths.IrisJson));

        Assert.InRange(classifier.TrainingAccuracy, 0.95, 1.0);
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var data = IrisDataset.Load(RepoPaths.IrisJson);

        var first = IrisTrainer.Train(data);
        var second = IrisTrainer.Train(data);

        Assert.Equal(first.Weights, second.Weights);
        Assert.Equal(first.Bias, second.Bias);
        Assert.Equal(12, first.Weights.Length);
        Assert.Equal(3, first.Bias.Length);
    }
}
