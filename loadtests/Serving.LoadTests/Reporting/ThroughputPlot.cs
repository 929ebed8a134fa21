using Serving.LoadTests.Payloads;
using Serving.LoadTests.Runtime;

namespace Serving.LoadTests.Reporting;

/// <summary>Requests per second against concurrency, one line per wire format and configuration, with the in-process best.</summary>
internal static class ThroughputPlot
{
    public static void Save(RuntimeBenchResult result, string path)
    {
        var plot = new ScottPlot.Plot();
        var concurrencies = result.Options.Concurrency.Order().ToArray();
        double[] xs = [.. Enumerable.Range(0, concurrencies.Length).Select(i => (double)i)];
        foreach (var format in result.Options.Protocols)
        {
            foreach (var config in result.Configs)
            {
                double[] ys = [.. concurrencies.Select(c => result.Cells
                    .FirstOrDefault(cell => cell.Config == config && cell.Format == format && cell.Concurrency == c && !cell.Failed)
                    ?.RequestsPerSecond ?? double.NaN)];
                var line = plot.Add.Scatter(xs, ys);
                line.LegendText = $"{format.ToString().ToLowerInvariant()}, batching {config.Label}";
                line.LinePattern = format == WireFormat.Binary ? ScottPlot.LinePattern.Solid : ScottPlot.LinePattern.Dashed;
                line.MarkerSize = 6;
            }
        }

        var (batch, best) = result.Baseline.Best;
        var reference = plot.Add.HorizontalLine(best);
        reference.LegendText = $"in-process best (batch {batch})";
        reference.LinePattern = ScottPlot.LinePattern.Dotted;
        var target = plot.Add.HorizontalLine(best * 0.8);
        target.LegendText = "0.8× in-process best (target)";
        target.LinePattern = ScottPlot.LinePattern.DenselyDashed;

        plot.Axes.Bottom.SetTicks(xs, [.. concurrencies.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.Bottom.Label.Text = "concurrency (wrk connections)";
        plot.Axes.Left.Label.Text = "requests/s (= images/s)";
        double top = result.Cells.Select(c => c.RequestsPerSecond).Append(best).Max();
        plot.Axes.SetLimitsY(0, top * 1.1);
        plot.Title("serving-runtime, PP-OCR cls: throughput vs concurrency");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        plot.SavePng(path, 1000, 600);
    }
}
