using System.Runtime.InteropServices;

namespace Serving.Controller.Local.Processes;

/// <summary>POSIX signals: .NET can only kill a child outright, and a replica must be asked to drain (SIGTERM) first.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
