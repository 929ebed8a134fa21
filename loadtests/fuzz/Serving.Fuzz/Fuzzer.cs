using System.Diagnostics;

namespace Serving.Fuzz;

/// <summary>What a fuzzing run of one target found.</summary>
public sealed record FuzzResult(string Target, long Executions, TimeSpan Elapsed, IReadOnlyList<(string Error, byte[] Input)> Findings, TimeSpan Slowest);

/// <summary>
/// Drives a target with mutated inputs; an exception other than the documented one, or an input whose runs all take over a
/// second, is a finding.
/// </summary>
public static class Fuzzer
{
    public static readonly TimeSpan Slow = TimeSpan.FromSeconds(1);

    public static FuzzResult Run(FuzzTarget target, int seed, long executions)
    {
        var mutator = new Mutator(seed, target.Seeds);
        var findings = new List<(string, byte[])>();
        var seen = new HashSet<string>();
        var clock = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        for (long i = 0; i < executions; i++)
        {
            byte[] input = i < target.Seeds.Count ? target.Seeds[(int)i] : mutator.Next();
            long start = Stopwatch.GetTimestamp();
            try
            {
                target.Run(input);
            }
            catch (Exception e)
            {
                string error = $"{e.GetType().Name}: {e.Message.Split('\n')[0]} at {e.StackTrace?.Split('\n').FirstOrDefault()?.Trim()}";
                if (seen.Add(e.GetType().Name + e.StackTrace?.Split('\n').FirstOrDefault()))
                {
                    findings.Add((error, input));
                }
            }

            var took = Stopwatch.GetElapsedTime(start);
            if (took > Slow)
            {
                took = Fastest(target, input, took);
            }

            if (took > slowest)
            {
                slowest = took;
            }

            if (took > Slow && seen.Add("slow"))
            {
                findings.Add(($"a run took {took.TotalSeconds:0.0} s", input));
            }
        }

        return new FuzzResult(target.Name, executions, clock.Elapsed, findings, slowest);
    }

    /// <summary>
    /// The fastest of the first run and two more of the same input: a slow input is slow every time, while a stalled
    /// machine (a preempted or paused process, a collection for a neighbour's allocations) slows one run.
    /// </summary>
    private static TimeSpan Fastest(FuzzTarget target, byte[] input, TimeSpan first)
    {
        var fastest = first;
        for (int i = 0; i < 2 && fastest > Slow; i++)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                target.Run(input);
            }
            catch (Exception)
            {
                // Already judged by the first run.
            }

            var took = Stopwatch.GetElapsedTime(start);
            fastest = took < fastest ? took : fastest;
        }

        return fastest;
    }
}
