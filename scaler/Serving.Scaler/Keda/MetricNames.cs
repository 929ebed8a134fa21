using System.Globalization;
using System.Text;

namespace Serving.Scaler.Keda;

/// <summary>
/// Metric names KEDA hands to the HPA: only <c>[-.0-9A-Za-z_]</c>. Anything else (and <c>_</c> itself, so that
/// two names never collide) is written as <c>_</c> and four hex digits, as the KEDA HTTP add-on does.
/// </summary>
internal static class MetricNames
{
    public static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('_').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
