using System.Diagnostics;
using System.Globalization;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.EndToEnd;

/// <summary>A runtime whose supervisor is killed outright stops by itself (no orphaned replicas).</summary>
public sealed class ParentWatchTests
{
    [Fact]
    public async Task The_runtime_exits_when_the_process_that_started_it_is_killed()
    {
        // A shell plays the supervisor: it starts the runtime with its own pid in SERVING_PARENT_PID and prints the child's pid.
        string script = $"SERVING_PARENT_PID=$$ dotnet '{RepoPaths.RuntimeDll}' --model-dir '{RepoPaths.Iris}' --http-port 0 >/dev/null 2>&1 & echo $!; wait";
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", script]) { RedirectStandardOutput = true })!;
        int runtime = int.Parse((await shell.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3)); // started and watching
            Assert.True(Alive(runtime), "the runtime runs while its parent does");

            shell.Kill(); // SIGKILL: the parent cannot stop its child

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (Alive(runtime) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(Alive(runtime), "the runtime stops within seconds once its parent is gone");
        }
        finally
        {
            if (Alive(runtime))
            {
                Process.GetProcessById(runtime).Kill();
            }
        }
    }

    /// <summary>Running, not a zombie waiting for a reaper.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
