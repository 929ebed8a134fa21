namespace Serving.Runtime.Models;

public enum DeviceKind
{
    Auto,
    Cpu,
    Cuda,
}
