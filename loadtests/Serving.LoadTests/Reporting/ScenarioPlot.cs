using ScottPlot;
using Serving.LoadTests.Scenarios;
using Serving.LoadTests.Scenarios.Load;

namespace Serving.LoadTests.Reporting;

/// <summary>
/// One PNG per scenario, panels stacked on one time axis: requests/s, p50/p99 latency of 2xx answers (log scale),
/// answers other than 2xx by status, ready replicas per revision, held requests when any were held, and the scenario's
/// own series (memory, the scaler's metric, a canary's share). Events are dashed lines across every panel, phases
/// marked as outages are shaded, targets are dotted red lines.
/// </summary>
internal static class ScenarioPlot
{
    private static readonly Color TargetColor = Colors.DarkRed;

    public static void Save(ScenarioRun run, string path)
    {
        var records = run.Log.Snapshot();
        var samples = run.Sampler.Samples;
        double width = run.BucketSeconds;
        double end = Math.Max(run.Now, 1);
        var (from, to) = run.PlotWindow ?? (run.PlotFrom, end);
        var panels = new List<Action<Plot>>
        {
            p => Requests(p, records, width, from, to),
            p => Latency(p, run, records, width, from, to),
            p => Errors(p, records, width, from, to),
        };
        if (samples.Count > 0)
        {
            panels.Add(p => Replicas(p, run, samples));
        }

        if (samples.Any(s => s.Held > 0))
        {
            panels.Add(p => Held(p, samples));
        }

        foreach (var group in run.Series.GroupBy(s => s.Panel))
        {
            panels.Add(p => Custom(p, run, group.Key, [.. group]));
        }

        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Count);
        var plots = multiplot.GetPlots();
        for (int i = 0; i < panels.Count; i++)
        {
            var plot = plots[i];
            panels[i](plot);
            // Event labels sit between the first two panels, clear of the title; one x axis for all: ticks on the last panel only.
            Decorate(plot, run, labels: i == 1, from, to);
            bool last = i == panels.Count - 1;
            plot.Layout.Fixed(new PixelPadding(90, 30, last ? 45 : 8, i == 0 ? 40 : 28));
            plot.Axes.SetLimitsX(from, to);
            plot.Axes.Bottom.TickLabelStyle.IsVisible = last;
            plot.Axes.Bottom.Label.Text = last ? "seconds since the scenario started" : "";
        }

        plots[0].Title($"{run.Name}: {run.Scenario.Title}", size: 14);
        multiplot.SharedAxes.ShareX(plots);
        multiplot.SavePng(path, 1200, 250 * panels.Count);
    }

    private static void Requests(Plot plot, IReadOnlyList<RequestRecord> records, double width, double from, double to)
    {
        Line(plot, "sent", Buckets(records.Where(r => r.Status != Outcome.NotSent), r => r.StartUs, width, from, to, b => b.Count() / width), Colors.Gray);
        Line(plot, "2xx answered", Buckets(records.Where(r => r.IsSuccess), r => r.EndUs, width, from, to, b => b.Count() / width), Colors.SeaGreen);
        Line(plot, "other answers", Buckets(records.Where(r => !r.IsSuccess), r => r.EndUs, width, from, to, b => b.Count() / width), Colors.OrangeRed);
        plot.Axes.Left.Label.Text = "requests / s";
        plot.Axes.SetLimitsY(0, Top(plot));
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void Latency(Plot plot, ScenarioRun run, IReadOnlyList<RequestRecord> records, double width, double from, double to)
    {
        var ok = records.Where(r => r.IsSuccess).ToList();
        double Log(IEnumerable<RequestRecord> b, double p) => Math.Log10(Math.Max(0.01, ScenarioStats.Percentile([.. b.Select(r => (long)r.LatencyUs)], p)));
        // Dots as well as lines: a second with answers between seconds without (a burst) would not show as a line.
        Line(plot, "p50", Buckets(ok, r => r.EndUs, width, from, to, b => Log(b, 50)), Colors.SteelBlue, marker: 4);
        Line(plot, "p99", Buckets(ok, r => r.EndUs, width, from, to, b => Log(b, 99)), Colors.DarkOrange, marker: 4);
        foreach (var line in run.Lines.Where(l => l.Panel == "latency"))
        {
            Target(plot, Math.Log10(line.Value), line.Label);
        }

        var logs = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().SelectMany(sc => sc.Data.GetScatterPoints().Select(p => p.Y))
            .Concat(plot.GetPlottables().OfType<ScottPlot.Plottables.HorizontalLine>().Select(l => l.Y)).Where(double.IsFinite).DefaultIfEmpty(0).ToList();
        plot.Axes.SetLimitsY(Math.Floor(logs.Min()), Math.Max(Math.Ceiling(logs.Max() + 0.05), Math.Floor(logs.Min()) + 1)); // whole decades, so the log ticks show
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Format.N(Math.Pow(10, y), "0.###"),
        };
        plot.Axes.Left.Label.Text = "2xx latency, ms (log)";
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void Errors(Plot plot, IReadOnlyList<RequestRecord> records, double width, double from, double to)
    {
        var failed = records.Where(r => !r.IsSuccess).ToList();
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var status in failed.GroupBy(r => r.Status).OrderBy(g => g.Key))
        {
            Line(plot, Outcome.Name(status.Key), Buckets(status, r => r.EndUs, width, from, to, b => b.Count() / width), palette.GetColor(i++));
        }

        if (failed.Count == 0)
        {
            var none = plot.Add.Text("no answer other than 2xx", (from + to) / 2, 0.5);
            none.LabelFontSize = 14;
            none.LabelAlignment = Alignment.MiddleCenter;
            plot.Axes.SetLimitsY(0, 1);
        }
        else
        {
            plot.Axes.SetLimitsY(0, Top(plot));
            plot.ShowLegend(Alignment.UpperRight);
        }

        plot.Axes.Left.Label.Text = "non-2xx / s";
    }

    private static void Replicas(Plot plot, ScenarioRun run, IReadOnlyList<Scenarios.Platform.PlatformSample> samples)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var revisions = samples.SelectMany(s => s.Ready.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        for (int i = 0; i < revisions.Count; i++)
        {
            string revision = revisions[i];
            var points = samples.Select(s => (s.T, V: s.Up ? s.Ready.GetValueOrDefault(revision) : double.NaN)).ToList();
            var line = plot.Add.Scatter(points.Select(p => p.T).ToArray(), points.Select(p => p.V).ToArray(), palette.GetColor(i));
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.MarkerSize = 0;
            line.LineWidth = 2 + (2.5f * (revisions.Count - 1 - i)); // earlier revisions wider, so that equal counts show both colours
            line.LegendText = revision;
        }

        var runtimes = plot.Add.Scatter(samples.Select(s => s.T).ToArray(), samples.Select(s => (double)s.Runtimes).ToArray(), Colors.Gray);
        runtimes.ConnectStyle = ConnectStyle.StepHorizontal;
        runtimes.MarkerSize = 0;
        runtimes.LinePattern = LinePattern.Dotted;
        runtimes.LegendText = "runtime processes";
        foreach (var line in run.Lines.Where(l => l.Panel == "replicas"))
        {
            Target(plot, line.Value, line.Label);
        }

        plot.Axes.Left.Label.Text = "ready replicas";
        plot.Axes.SetLimitsY(0, Math.Max(2, Top(plot)));
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void Held(Plot plot, IReadOnlyList<Scenarios.Platform.PlatformSample> samples)
    {
        var line = plot.Add.Scatter(samples.Select(s => s.T).ToArray(), samples.Select(s => (double)s.Held).ToArray(), Colors.Purple);
        line.MarkerSize = 0;
        line.LegendText = "held by the activator";
        plot.Axes.Left.Label.Text = "held requests";
        plot.Axes.SetLimitsY(0, Top(plot));
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void Custom(Plot plot, ScenarioRun run, string panel, IReadOnlyList<Series> series)
    {
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            var points = series[i].Points;
            var line = plot.Add.Scatter(points.Select(p => p.T).ToArray(), points.Select(p => p.V).ToArray(), palette.GetColor(i));
            bool few = points.Count < 40; // a few measured points (one per step) are dots, not a line through time
            line.MarkerSize = few ? 9 : 0;
            line.LineWidth = few ? 0 : 1.5f;
            line.LegendText = series[i].Name;
        }

        foreach (var line in run.Lines.Where(l => l.Panel == panel))
        {
            Target(plot, line.Value, line.Label);
        }

        plot.Axes.Left.Label.Text = $"{panel} ({series[0].Unit})";
        plot.Axes.SetLimitsY(0, Top(plot));
        plot.ShowLegend(Alignment.UpperLeft);
    }

    private static void Decorate(Plot plot, ScenarioRun run, bool labels, double from, double to)
    {
        foreach (var phase in run.Phases.Where(p => p.Shade))
        {
            var span = plot.Add.HorizontalSpan(phase.Start, phase.End);
            span.FillStyle.Color = Colors.Gold.WithAlpha(0.25);
            span.LineStyle.Width = 0;
        }

        double lastLabel = double.NegativeInfinity;
        foreach (var e in run.Events.Where(e => e.T >= from && e.T <= to))
        {
            var line = plot.Add.VerticalLine(e.T);
            line.Color = Colors.Gray.WithAlpha(0.8);
            line.LinePattern = LinePattern.Dashed;
            line.LineWidth = 1;
            if (labels && e.Short is { } text && e.T - lastLabel > (to - from) / 25) // a label too close to the last would cover it
            {
                lastLabel = e.T;
                line.Text = text;
                line.LabelOppositeAxis = true;
                line.LabelFontSize = 11;
            }
        }
    }

    private static void Target(Plot plot, double value, string label)
    {
        var line = plot.Add.HorizontalLine(value);
        line.Color = TargetColor;
        line.LinePattern = LinePattern.Dotted;
        line.LineWidth = 2;
        line.LegendText = label;
    }

    private static void Line(Plot plot, string name, (double[] Xs, double[] Ys) points, Color color, float marker = 0)
    {
        var line = plot.Add.Scatter(points.Xs, points.Ys, color);
        line.MarkerSize = marker;
        line.LineWidth = 1.5f;
        line.LegendText = name;
    }

    /// <summary>Buckets of <paramref name="width"/> seconds by the time <paramref name="at"/> (µs); empty buckets are gaps (NaN) unless counting.</summary>
    private static (double[] Xs, double[] Ys) Buckets(
        IEnumerable<RequestRecord> records, Func<RequestRecord, long> at, double width, double from, double to, Func<IEnumerable<RequestRecord>, double> value)
    {
        int count = Math.Max(1, (int)Math.Ceiling((to - from) / width));
        var buckets = new List<RequestRecord>[count];
        foreach (var record in records)
        {
            int i = (int)Math.Floor((at(record) / 1e6 - from) / width);
            if (i >= 0 && i < count)
            {
                (buckets[i] ??= []).Add(record);
            }
        }

        double empty = value([]);
        return ([.. Enumerable.Range(0, count).Select(i => from + ((i + 0.5) * width))],
                [.. buckets.Select(b => b is null ? (double.IsFinite(empty) && empty == 0 ? 0 : double.NaN) : value(b))]);
    }

    private static double Top(Plot plot)
    {
        var limits = plot.Axes.GetLimits();
        double top = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>()
            .SelectMany(s => s.Data.GetScatterPoints().Select(p => p.Y)).Where(double.IsFinite).DefaultIfEmpty(1).Max();
        double lines = plot.GetPlottables().OfType<ScottPlot.Plottables.HorizontalLine>().Select(l => l.Y).DefaultIfEmpty(0).Max();
        return Math.Max(Math.Max(top, lines) * 1.15, limits.Bottom + 1);
    }
}
