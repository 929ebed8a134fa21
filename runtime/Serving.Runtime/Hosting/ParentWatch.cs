using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Serving.Runtime.Hosting;

/// <summary>
/// Stops the runtime when the process that started it is gone, so that a supervisor killed outright (the local
/// platform after SIGKILL, say) leaves no orphaned replicas. Active only when <see cref="Variable"/> names the parent's
/// pid; in a pod nobody sets it. Polls once a second: the parent may be gone, or replaced by a recycled pid that is
/// no longer this process's parent.
/// </summary>
internal sealed partial class ParentWatch(IHostApplicationLifetime lifetime, ILogger<ParentWatch> logger) : BackgroundService
{
    public const string Variable = "SERVING_PARENT_PID";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out int parent))
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (ParentOf(Environment.ProcessId) != parent)
            {
                LogParentGone(logger, parent);
                lifetime.StopApplication();
                return;
            }
        }
    }

    /// <summary>The parent pid from <c>/proc/{pid}/stat</c> (the field after the parenthesised command name); null if unreadable.</summary>
    private static int? ParentOf(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "The process that started this runtime ({Parent}) is gone: stopping")]
    private static partial void LogParentGone(ILogger logger, int parent);
}
