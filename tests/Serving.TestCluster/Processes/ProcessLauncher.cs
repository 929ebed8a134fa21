using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serving.TestCluster.Processes;

/// <summary>
/// Starts child processes that die with this process: each runs under <c>setpriv --pdeathsig KILL</c>, so the kernel
/// kills it when its parent goes, however the test process ends. The parent death signal follows the thread that
/// forked, not the process, and .NET forks on the calling thread: a thread-pool thread that retires would take its
/// children with it. So every fork happens on one thread that lives as long as the process.
/// Each child also gets a session (and process group) of its own, so that a signal reaches the processes it starts,
/// and SIGINT at its default, as in a terminal: a suite started in the background of a script inherits SIGINT ignored,
/// and a shell cannot trap a signal ignored on entry (run.sh's Ctrl+C would then do nothing).
/// </summary>
public static class ProcessLauncher
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> Requests = [];
    private static readonly Lazy<Thread> Forker = new(StartForker);

    public static Task<Process> StartAsync(ProcessStartInfo info)
    {
        var wrapped = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = info.RedirectStandardOutput,
            RedirectStandardError = info.RedirectStandardError,
            RedirectStandardInput = info.RedirectStandardInput,
            UseShellExecute = false,
            WorkingDirectory = info.WorkingDirectory,
        };
        foreach (string argument in (string[])["--pdeathsig", "KILL", "--", "setsid", "--", "env", "--default-signal=INT", "--", info.FileName, .. info.ArgumentList])
        {
            wrapped.ArgumentList.Add(argument);
        }

        wrapped.Environment.Clear();
        foreach (var (key, value) in info.Environment)
        {
            if (value is not null)
            {
                wrapped.Environment[key] = value;
            }
        }

        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Forker.Value;
        Requests.Add((wrapped, started));
        return started.Task;
    }

    private static Thread StartForker()
    {
        var thread = new Thread(() =>
        {
            foreach (var (info, started) in Requests.GetConsumingEnumerable())
            {
                try
                {
                    var process = new Process { StartInfo = info, EnableRaisingEvents = true };
                    process.Start();
                    started.SetResult(process);
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
                {
                    started.SetException(e);
                }
            }
        })
        {
            IsBackground = true,
            Name = "test-cluster process launcher",
        };
        thread.Start();
        return thread;
    }
}
