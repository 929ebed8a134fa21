namespace Serving.LoadTests.Gateway;

/// <summary>The median of a figure over rounds, with its lowest and highest value: how much the rounds agree.</summary>
internal readonly record struct Spread(double Median, double Min, double Max, int Count)
{
    public static readonly Spread None = new(double.NaN, double.NaN, double.NaN, 0);

    public static Spread Of(IEnumerable<double> values)
    {
        double[] v = [.. values.Where(double.IsFinite).Order()];
        if (v.Length == 0)
        {
            return None;
        }

        double median = v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
        return new Spread(median, v[0], v[^1], v.Length);
    }
}
