using System.Globalization;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>The <c>serving-runtime</c> processes started for one scenario, found by their command line (it names the scenario's folder).</summary>
internal static class RuntimeProcesses
{
    public static IReadOnlyList<(int Pid, string CommandLine)> Under(string root)
    {
        var found = new List<(int, string)>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                string[] argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                string cmdline = string.Join(' ', argv);
                // The program itself, not a process that names it (serving-local's --runtime argument does).
                bool runtime = argv.Length > 0 && (argv[0].EndsWith("/serving-runtime", StringComparison.Ordinal)
                    || (argv.Length > 1 && argv[1].EndsWith("/serving-runtime.dll", StringComparison.Ordinal)));
                if (runtime && cmdline.Contains(root, StringComparison.Ordinal))
                {
                    found.Add((pid, cmdline));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile
            }
        }

        return found;
    }

    /// <summary>Resident memory of a process in MiB (VmRSS), 0 once it is gone.</summary>
    public static double RssMiB(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }
        catch (IOException)
        {
            // gone
        }

        return 0;
    }

    /// <summary>SIGKILLs whatever is left (a drill that found an orphan still leaves a clean machine).</summary>
    public static int KillAll(string root)
    {
        int killed = 0;
        foreach (var (pid, _) in Under(root))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // gone meanwhile
            }
        }

        return killed;
    }
}
