using System.Runtime.InteropServices;

namespace Serving.TestCluster.Processes;

/// <summary>Signals to a child's process group (every child leads one, see <see cref="ProcessLauncher"/>).</summary>
public static partial class Signals
{
    public const int Interrupt = 2;
    public const int Term = 15;
    public const int Kill = 9;

    /// <summary>Sends <paramref name="signal"/> to the group led by <paramref name="pid"/>, or to the process alone if it leads none.</summary>
    public static void SendToGroup(int pid, int signal)
    {
        if (kill(-pid, signal) != 0)
        {
            _ = kill(pid, signal);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
