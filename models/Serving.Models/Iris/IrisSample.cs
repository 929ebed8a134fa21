namespace Serving.Models.Iris;

/// <summary>One iris flower: four measurements in centimetres and its class (see <see cref="IrisDataset.ClassNames"/>).</summary>
public readonly record struct IrisSample(double SepalLength, double SepalWidth, double PetalLength, double PetalWidth, int Label)
{
    /// <summary>Feature <paramref name="index"/> in the model's input order (0..3).</summary>
    public double Feature(int index) => index switch
    {
        0 => SepalLength,
        1 => SepalWidth,
        2 => PetalLength,
        3 => PetalWidth,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "Iris has four features."),
    };
}
