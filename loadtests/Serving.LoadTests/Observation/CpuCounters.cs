using System.Globalization;

namespace Serving.LoadTests.Observation;

/// <summary>CPU time from <c>/proc</c>, in clock ticks (USER_HZ, 100): the whole machine's busy and total, and one process's.</summary>
internal sealed record CpuCounters(long MachineBusy, long MachineTotal, long Process)
{
    public const double TicksPerSecond = 100;

    public static CpuCounters Read(int processId)
    {
        var (busy, total, _) = MachineTicks();
        return new CpuCounters(busy, total, ProcessTicks(processId));
    }

    /// <summary>Cores' worth of CPU used between two readings taken <paramref name="seconds"/> apart.</summary>
    public static (double Machine, double Process) CoresBetween(CpuCounters before, CpuCounters after, double seconds) =>
        ((after.MachineBusy - before.MachineBusy) / TicksPerSecond / seconds,
         (after.Process - before.Process) / TicksPerSecond / seconds);

    /// <summary>
    /// Busy and total ticks of the whole machine, all cores together, and the busy ticks spent in interrupts
    /// (irq + softirq). The kernel accounts interrupt time to no process: on loopback most of it is the network stack
    /// carrying the benchmark's own packets, not a neighbour.
    /// </summary>
    public static (long Busy, long Total, long Interrupts) MachineTicks()
    {
        // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal guest guest_nice".
        string[] cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long[] t = [.. cpu.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture))];
        long idle = t[3] + t[4];
        long total = t.Sum();
        return (total - idle, total, t[5] + t[6]);
    }

    /// <summary>utime + stime of one process (all its threads); 0 once it is gone.</summary>
    public static long ProcessTicks(int processId)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{processId}/stat");
            // Fields after "(comm) ": state is field 3, utime and stime are fields 14 and 15.
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>A process and its descendants (nginx: the master and its workers), for CPU summed over all of them.</summary>
    public static IReadOnlyList<int> ProcessTree(int processId)
    {
        var tree = new List<int> { processId };
        for (int i = 0; i < tree.Count && tree.Count < 1024; i++)
        {
            try
            {
                foreach (string task in Directory.EnumerateDirectories($"/proc/{tree[i]}/task"))
                {
                    string children = File.ReadAllText(Path.Combine(task, "children"));
                    tree.AddRange(children.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(c => int.Parse(c, CultureInfo.InvariantCulture)));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or a kernel without /proc/*/task/*/children: count what was found.
            }
        }

        return tree;
    }
}
