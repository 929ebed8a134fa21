namespace Serving.Runtime.Execution;

/// <summary>
/// Whether batched Runs are padded with zero rows up to a bucket size. ONNX Runtime's CUDA provider re-prepares its
/// convolutions whenever a Run's input shape differs from the previous Run's (about 160 ms for ResNet-50 on an H100,
/// loadtests/reports/gpu.md), and dynamic batching changes the batch size all the time; on CPU a shape change is free
/// and padding only wastes work. <see cref="Auto"/> pads on CUDA and not on CPU.
/// </summary>
public enum BatchPadding
{
    Auto,
    On,
    Off,
}
