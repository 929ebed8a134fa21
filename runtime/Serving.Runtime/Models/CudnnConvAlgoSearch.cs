namespace Serving.Runtime.Models;

/// <summary>
/// How the CUDA execution provider picks a cuDNN convolution algorithm when an input shape changes. ONNX Runtime's own
/// default, <see cref="Exhaustive"/>, benchmarks the algorithms, which suits one fixed shape; dynamic batching runs
/// many batch sizes. Measured in one run on an H100 with ResNet-50 (loadtests/reports/gpu.md), <see cref="Heuristic"/>
/// served 2.6× (max batch 32) to 2.9× (max batch 8, 8 clients) more requests/s than exhaustive where batch sizes
/// vary, and 1.24× more where every batch was full. It does not remove the cost of a shape change inside ONNX Runtime
/// (about 160 ms per Run whose shape differs from the previous Run's), which the report describes.
/// </summary>
public enum CudnnConvAlgoSearch
{
    Heuristic,
    Exhaustive,
    Default,
}
