using System.Globalization;

namespace Serving.LoadTests.Observation;

/// <summary>The samples of a Prometheus text exposition, enough to sum a metric over its label sets.</summary>
internal sealed class PrometheusText
{
    private readonly List<(string Name, string Labels, double Value)> _samples = [];

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            if (space < 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                continue;
            }

            string series = line[..space];
            int brace = series.IndexOf('{', StringComparison.Ordinal);
            string name = brace < 0 ? series : series[..brace];
            string labels = brace < 0 ? "" : series[brace..];
            parsed._samples.Add((name, labels, value));
        }

        return parsed;
    }

    /// <summary>Sum of every sample of <paramref name="name"/> whose labels contain <paramref name="labelMatch"/> (e.g. <c>code="200"</c>).</summary>
    public double Sum(string name, string labelMatch = "") =>
        _samples.Where(s => s.Name == name && s.Labels.Contains(labelMatch, StringComparison.Ordinal)).Sum(s => s.Value);
}
