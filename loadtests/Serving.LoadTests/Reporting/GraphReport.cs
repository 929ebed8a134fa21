using System.Text;
using Serving.LoadTests.Graph;
using Serving.LoadTests.Observation;

namespace Serving.LoadTests.Reporting;

/// <summary>The InferenceGraph report: per-cell latency and the comparisons the issue asks for, each over rounds.</summary>
internal static class GraphReport
{
    private const double TargetAddedMs = 0.5;

    public static IEnumerable<string> TargetLines(GraphBenchOptions options, IReadOnlyList<Dictionary<string, CellStats>> rounds)
    {
        var added = Spread(rounds, r => (r["graph sequence"].P50 - r["gateway a+b"].P50) / 1000);
        var slowest = Spread(rounds, r => r["graph ensemble"].P50 / r["gateway slowest"].P50);
        var sum = Spread(rounds, r => r["graph ensemble"].P50 / r["gateway sum"].P50);
        yield return $"{(added.Median <= TargetAddedMs ? "✓" : "✗")} Sequence of two steps vs the same two calls through the gateway: "
            + $"{Format.N(added.Median, "+0.000;-0.000")} ms p50 added (rounds {Format.N(added.Min, "0.000")} to {Format.N(added.Max, "0.000")}; target ≤ {TargetAddedMs} ms)";
        yield return $"{(slowest.Median < 1.2 && sum.Median < 0.8 ? "✓" : "✗")} Ensemble of three ({string.Join("/", options.EnsembleDelaysMs)} ms) ≈ the slowest step: "
            + $"{Format.Ratio(slowest.Median)} the slowest alone, {Format.Ratio(sum.Median)} the sum (rounds {Format.Ratio(slowest.Min)} to {Format.Ratio(slowest.Max)} of the slowest)";
    }

    public static string Render(
        GraphBenchOptions options, MachineInfo machine, IReadOnlyList<GraphCell> cells, IReadOnlyList<Dictionary<string, CellStats>> rounds)
    {
        var text = new StringBuilder();
        text.AppendLine("# InferenceGraph benchmark");
        text.AppendLine();
        foreach (string line in TargetLines(options, rounds))
        {
            text.AppendLine($"- {line}");
        }

        text.AppendLine();
        text.AppendLine("Produced by:");
        text.AppendLine();
        text.AppendLine("```");
        text.AppendLine("loadtests/run-graph-bench.sh"
            + $" --rounds {options.Rounds} --requests {options.Requests} --warmup {options.Warmup}"
            + $" --ensemble-requests {options.EnsembleRequests} --ensemble-delays-ms {string.Join(",", options.EnsembleDelaysMs)}");
        text.AppendLine("```");
        text.AppendLine();
        text.AppendLine($"Machine: {machine.Cores} cores, {machine.CpuModel}; {machine.Os}; {machine.DotNet}.");
        text.AppendLine();
        text.AppendLine("""
            Everything runs in one process: the gateway as `GatewayHost.Build` makes it (Kestrel on loopback, the same
            request path as the host), Kestrel backends on loopback that answer a small V1 prediction after a fixed delay,
            and one client sending requests one after another (concurrency 1) over kept-alive connections. Graph steps
            on InferenceServices go through routing, the canary draw, accounting, the activator and the balancer like
            direct traffic. Each round measures every cell (warm-up, then the measured requests), starting one cell later
            than the round before; comparisons are made within a round and shown as the median over rounds with the
            lowest and highest round. Latencies are client-side p50/p99 in milliseconds.

            """);
        text.AppendLine("| cell | what | p50 ms | p99 ms | mean ms |");
        text.AppendLine("|---|---|---:|---:|---:|");
        foreach (var cell in cells)
        {
            var p50 = Spread(rounds, r => r[cell.Name].P50 / 1000);
            var p99 = Spread(rounds, r => r[cell.Name].P99 / 1000);
            var mean = Spread(rounds, r => r[cell.Name].Mean / 1000);
            text.AppendLine($"| {cell.Name} | {cell.What} | {Format.N(p50.Median, "0.000")} | {Format.N(p99.Median, "0.000")} | {Format.N(mean.Median, "0.000")} |");
        }

        text.AppendLine();
        text.AppendLine("| comparison (per round, p50) | median | lowest round | highest round |");
        text.AppendLine("|---|---:|---:|---:|");
        Row(text, "graph sequence − gateway a+b (ms): what the graph adds over the client making both calls", rounds, r => (r["graph sequence"].P50 - r["gateway a+b"].P50) / 1000, "+0.000;-0.000");
        Row(text, "graph sequence − direct a+b (ms): the gateway and the graph together over calling backends directly", rounds, r => (r["graph sequence"].P50 - r["direct a+b"].P50) / 1000, "+0.000;-0.000");
        Row(text, "gateway a+b − direct a+b (ms): two proxied calls, for scale", rounds, r => (r["gateway a+b"].P50 - r["direct a+b"].P50) / 1000, "+0.000;-0.000");
        Row(text, "graph ensemble ÷ gateway slowest", rounds, r => r["graph ensemble"].P50 / r["gateway slowest"].P50, "0.000");
        Row(text, "graph ensemble ÷ gateway sum", rounds, r => r["graph ensemble"].P50 / r["gateway sum"].P50, "0.000");
        text.AppendLine();
        text.AppendLine("""
            Reading it: a graph replaces the client's own calls, so "graph sequence − gateway a+b" is the figure the
            target is about; it can be negative, because the graph saves the client one round trip to the gateway while
            it adds buffering the body and the per-step bookkeeping (the body is parsed only where a condition, an
            Ensemble or mapPredictionsToInstances needs it). The machine is shared and has two cores: compare ratios
            and differences within this report, not absolute figures between reports.
            """);
        return text.ToString();
    }

    private static void Row(StringBuilder text, string name, IReadOnlyList<Dictionary<string, CellStats>> rounds, Func<Dictionary<string, CellStats>, double> value, string format)
    {
        var spread = Spread(rounds, value);
        text.AppendLine($"| {name} | {Format.N(spread.Median, format)} | {Format.N(spread.Min, format)} | {Format.N(spread.Max, format)} |");
    }

    private static (double Median, double Min, double Max) Spread(IReadOnlyList<Dictionary<string, CellStats>> rounds, Func<Dictionary<string, CellStats>, double> value)
    {
        var values = rounds.Select(value).Order().ToArray();
        return (values[values.Length / 2], values[0], values[^1]);
    }
}
