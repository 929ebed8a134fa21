namespace Serving.Models.Iris;

/// <summary>
/// A trained linear iris classifier on raw (unscaled) features: <c>logits = x · W + B</c>.
/// </summary>
/// <param name="Weights">W, row-major [<see cref="IrisDataset.FeatureCount"/>, <see cref="IrisDataset.ClassCount"/>].</param>
/// <param name="Bias">B, [<see cref="IrisDataset.ClassCount"/>].</param>
/// <param name="TrainingAccuracy">Share of training samples these float weights classify correctly.</param>
public sealed record IrisClassifier(float[] Weights, float[] Bias, double TrainingAccuracy)
{
    /// <summary>The class with the largest logit (the first one on ties, as ONNX ArgMax).</summary>
    public int Predict(IrisSample sample)
    {
        var best = 0;
        var bestLogit = double.NegativeInfinity;
        for (var k = 0; k < IrisDataset.ClassCount; k++)
        {
            double logit = Bias[k];
            for (var j = 0; j < IrisDataset.FeatureCount; j++)
            {
                logit += sample.Feature(j) * Weights[(j * IrisDataset.ClassCount) + k];
            }

            if (logit > bestLogit)
            {
                best = k;
                bestLogit = logit;
            }
        }

        return best;
    }
}
