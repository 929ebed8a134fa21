using System.Globalization;

namespace Serving.LoadTests.Observation;

/// <summary>CPU time from <c>/proc</c>, in clock ticks (USER_HZ, 100): the whole machine's busy and total, and one process's.</summary>
internal sealed record CpuCounters(long MachineBusy, long MachineTotal, long Process)
{
    private const double TicksPerSecond = 100;

    public static CpuCounters Read(int processId)
    {
        // First line of /proc/stat: "cpu user nice system idle iowait irq softirq steal guest guest_nice".
        string[] cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long[] t = [.. cpu.Skip(1).Take(8).Select(v => long.Parse(v, CultureInfo.InvariantCulture))];
        long idle = t[3] + t[4];
        long total = t.Sum();
        return new CpuCounters(total - idle, total, ProcessTicks(processId));
    }

    /// <summary>Cores' worth of CPU used between two readings taken <paramref name="seconds"/> apart.</summary>
    public static (double Machine, double Process) CoresBetween(CpuCounters before, CpuCounters after, double seconds) =>
        ((after.MachineBusy - before.MachineBusy) / TicksPerSecond / seconds,
         (after.Process - before.Process) / TicksPerSecond / seconds);

    private static long ProcessTicks(int processId)
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
}
