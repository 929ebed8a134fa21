using System.Globalization;

namespace Serving.Controller.Api.Core;

/// <summary>Kubernetes resource quantities (<c>k8s.io/apimachinery/pkg/api/resource</c>): enough to compare values.</summary>
public static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 1e-9m), ("u", 1e-6m), ("m", 1e-3m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m),
    ];

    /// <summary>The value in base units (bytes, cores); false for text that is not a quantity.</summary>
    public static bool TryParse(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string number = text.Trim();
        decimal factor = 1;
        foreach (var (suffix, f) in Suffixes)
        {
            if (number.EndsWith(suffix, StringComparison.Ordinal) && number.Length > suffix.Length)
            {
                number = number[..^suffix.Length];
                factor = f;
                break;
            }
        }

        // Decimal exponents (1e3, 1E-3) are legal quantities; NumberStyles.Float accepts them.
        if (!decimal.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal parsed))
        {
            return false;
        }

        value = parsed * factor;
        return true;
    }
}
