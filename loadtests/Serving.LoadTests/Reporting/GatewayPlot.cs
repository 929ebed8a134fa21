using System.Globalization;
using Serving.LoadTests.Gateway;

namespace Serving.LoadTests.Reporting;

/// <summary>Proxy CPU per request (median over rounds) for each proxy, one bar per concurrency, with the 23 µs line.</summary>
internal static class GatewayPlot
{
    public static void Save(GatewayBenchResult result, string path)
    {
        var p = result.Proxies!;
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        string[] proxies = [.. p.Targets.Where(t => t != Target.Direct)];
        int groups = p.Concurrencies.Count;
        for (int ci = 0; ci < groups; ci++)
        {
            int c = p.Concurrencies[ci];
            var color = palette.GetColor(ci);
            var bars = proxies.Select((target, i) =>
            {
                double value = p.Of(target, c, x => x.UsPerRequest).Median;
                return new ScottPlot.Bar
                {
                    Position = (i * (groups + 1)) + ci,
                    Value = double.IsFinite(value) ? value : 0,
                    FillColor = color,
                    Label = double.IsFinite(value) ? value.ToString("0.0", CultureInfo.InvariantCulture) : "",
                };
            }).ToList();
            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = $"{c} connection(s)", FillColor = color });
        }

        var target = plot.Add.HorizontalLine(GatewayReport.UsPerRequestTarget);
        target.LinePattern = ScottPlot.LinePattern.Dashed;
        target.Color = ScottPlot.Colors.DarkRed;
        target.LegendText = $"issue's target for the gateway: {GatewayReport.UsPerRequestTarget} µs";

        double[] ticks = [.. proxies.Select((_, i) => (i * (groups + 1)) + ((groups - 1) / 2.0))];
        plot.Axes.Bottom.SetTicks(ticks, [.. proxies.Select(name => name.Replace(", ", "\n", StringComparison.Ordinal))]); // long names on lines of their own
        plot.Axes.Left.Label.Text = "proxy CPU per request (µs)";
        // Headroom above the tallest bar for its label and the legend.
        double top = proxies.SelectMany(t => p.Concurrencies.Select(c => p.Of(t, c, x => x.UsPerRequest).Median))
            .Where(double.IsFinite).Append(GatewayReport.UsPerRequestTarget).Max();
        plot.Axes.SetLimitsY(0, top * 1.35);
        plot.Title("Proxy CPU per request, same backend and client (lower is better)");
        plot.ShowLegend(ScottPlot.Alignment.UpperCenter);
        plot.SavePng(path, 1000, 550);
    }
}
