using Serving.LoadTests.Server;

namespace Serving.LoadTests.Observation;

/// <summary>The GPU a CUDA run used, as <c>nvidia-smi</c> names it: GPU figures only compare on the same card and driver.</summary>
internal static class GpuInfo
{
    public static async Task<string> DescribeAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (exitCode, output) = await ShortCommand.RunAsync(
                new ProcessSpec("nvidia-smi", "nvidia-smi", ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"]),
                TimeSpan.FromSeconds(20),
                cancellationToken);
            return exitCode == 0 ? $"GPU: {output.Split('\n')[0].Trim()} (name, driver, memory)" : "GPU: nvidia-smi failed";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "GPU: unknown (nvidia-smi not found)";
        }
    }
}
