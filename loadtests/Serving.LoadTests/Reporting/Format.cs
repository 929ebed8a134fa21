using System.Globalization;

namespace Serving.LoadTests.Reporting;

/// <summary>Number formatting for the report: invariant culture, "–" for what was not measured.</summary>
internal static class Format
{
    public static string N(double value, string format = "0") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "–";

    public static string Ratio(double value, string format = "0.00") => double.IsFinite(value) ? $"{N(value, format)}×" : "–";

    public static string Ms(long microseconds) => N(microseconds / 1000.0, "0.0");

    public static string Percent(double fraction) => double.IsFinite(fraction) ? $"{N(fraction * 100)} %" : "–";
}
