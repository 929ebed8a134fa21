using System.Runtime.InteropServices;

namespace Serving.LoadTests.Observation;

/// <summary>The machine the numbers come from; ratios travel between machines, absolute figures do not.</summary>
/// <param name="Tools">Versions of what else the numbers depend on (ONNX Runtime, wrk, nginx…), as the report prints them.</param>
internal sealed record MachineInfo(int Cores, string CpuModel, string Os, string DotNet, IReadOnlyList<string> Tools)
{
    public static MachineInfo Read(params IReadOnlyList<string> tools)
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

        return new MachineInfo(Environment.ProcessorCount, cpu, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, tools);
    }
}
