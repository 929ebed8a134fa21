namespace Serving.LoadTests.Baseline;

/// <summary>
/// Where both the in-process baseline and the server run the model: the comparison only means something when the two
/// use the same execution provider.
/// </summary>
internal enum BenchDevice
{
    Cpu,
    Cuda,
}
