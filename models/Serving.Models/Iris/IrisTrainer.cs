namespace Serving.Models.Iris;

/// <summary>
/// Multinomial logistic regression by full-batch gradient descent on standardized features.
/// No randomness and a fixed summation order, so the same data always gives the same weights.
/// </summary>
public static class IrisTrainer
{
    public const int Iterations = 2000;
    public const double LearningRate = 0.5;
    public const double L2 = 1e-3;

    private const int F = IrisDataset.FeatureCount;
    private const int K = IrisDataset.ClassCount;

    public static IrisClassifier Train(IrisDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var samples = data.Samples;
        var n = samples.Count;
        var (mean, scale) = Standardization(samples);

        var z = new double[n, F];
        for (var s = 0; s < n; s++)
        {
            for (var j = 0; j < F; j++)
            {
                z[s, j] = (samples[s].Feature(j) - mean[j]) / scale[j];
            }
        }

        var w = new double[F, K];
        var b = new double[K];
        var gradW = new double[F, K];
        var gradB = new double[K];
        var p = new double[K];
        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            Array.Clear(gradW);
            Array.Clear(gradB);
            for (var s = 0; s < n; s++)
            {
                Softmax(z, s, w, b, p);
                for (var k = 0; k < K; k++)
                {
                    var error = p[k] - (samples[s].Label == k ? 1.0 : 0.0);
                    gradB[k] += error;
                    for (var j = 0; j < F; j++)
                    {
                        gradW[j, k] += error * z[s, j];
                    }
                }
            }

            for (var k = 0; k < K; k++)
            {
                b[k] -= LearningRate * gradB[k] / n;
                for (var j = 0; j < F; j++)
                {
                    w[j, k] -= LearningRate * ((gradW[j, k] / n) + (L2 * w[j, k]));
                }
            }
        }

        return Fold(samples, w, b, mean, scale);
    }

    private static (double[] Mean, double[] Scale) Standardization(IReadOnlyList<IrisSample> samples)
    {
        var mean = new double[F];
        var scale = new double[F];
        for (var j = 0; j < F; j++)
        {
            var sum = 0.0;
            foreach (var sample in samples)
            {
                sum += sample.Feature(j);
            }

            mean[j] = sum / samples.Count;
            var squares = 0.0;
            foreach (var sample in samples)
            {
                var d = sample.Feature(j) - mean[j];
                squares += d * d;
            }

            var std = Math.Sqrt(squares / samples.Count);
            scale[j] = std > 0 ? std : 1.0;
        }

        return (mean, scale);
    }

    private static void Softmax(double[,] z, int s, double[,] w, double[] b, double[] p)
    {
        var max = double.NegativeInfinity;
        for (var k = 0; k < K; k++)
        {
            var logit = b[k];
            for (var j = 0; j < F; j++)
            {
                logit += z[s, j] * w[j, k];
            }

            p[k] = logit;
            max = Math.Max(max, logit);
        }

        var total = 0.0;
        for (var k = 0; k < K; k++)
        {
            p[k] = Math.Exp(p[k] - max);
            total += p[k];
        }

        for (var k = 0; k < K; k++)
        {
            p[k] /= total;
        }
    }

    // (x - mean) / scale · w + b  ==  x · (w / scale) + (b - mean / scale · w): the model takes raw features.
    private static IrisClassifier Fold(IReadOnlyList<IrisSample> samples, double[,] w, double[] b, double[] mean, double[] scale)
    {
        var weights = new float[F * K];
        var bias = new float[K];
        for (var k = 0; k < K; k++)
        {
            var shift = b[k];
            for (var j = 0; j < F; j++)
            {
                var raw = w[j, k] / scale[j];
                weights[(j * K) + k] = (float)raw;
                shift -= mean[j] * raw;
            }

            bias[k] = (float)shift;
        }

        var classifier = new IrisClassifier(weights, bias, TrainingAccuracy: 0);
        var correct = samples.Count(s => classifier.Predict(s) == s.Label);
        return classifier with { TrainingAccuracy = (double)correct / samples.Count };
    }
}
