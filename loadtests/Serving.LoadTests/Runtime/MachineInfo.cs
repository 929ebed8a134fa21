using System.Runtime.InteropServices;

namespace Serving.LoadTests.Runtime;

/// <summary>The machine the numbers come from; ratios travel between machines, absolute figures do not.</summary>
internal sealed record MachineInfo(int Cores, string CpuModel, string Os, string DotNet, string OnnxRuntime, string Wrk)
{
    public static MachineInfo Read(string onnxRuntime, string wrk)
    {
        string cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo")
                .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
            // Not Linux: leave it unknown.
        }

        return new MachineInfo(
            Environment.ProcessorCount, cpu, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, onnxRuntime, wrk);
    }
}
