namespace Serving.Runtime.Models;

/// <summary>
/// How the CUDA execution provider picks a cuDNN convolution algorithm for each new input shape. ONNX Runtime's own
/// default, <see cref="Exhaustive"/>, benchmarks every algorithm the first time a shape is seen: right for a fixed
/// shape, wrong for a server whose dynamic batching runs every batch size from 1 to the maximum. Measured on an H100
/// with ResNet-50 (loadtests/reports/gpu.md), each new batch size stalled the batch queue for hundreds of milliseconds,
/// and batching on served 10 to 100 requests/s where batching off served 1,500. <see cref="Heuristic"/> asks cuDNN's
/// heuristics instead, which costs nothing per shape.
/// </summary>
public enum CudnnConvAlgoSearch
{
    Heuristic,
    Exhaustive,
    Default,
}
