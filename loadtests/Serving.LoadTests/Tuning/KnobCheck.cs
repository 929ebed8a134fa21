namespace Serving.LoadTests.Tuning;

/// <summary>
/// What <see cref="RuntimeKnobsProbe"/> observed for one knob: as built, with the environment variable, and with the
/// runtimeconfig.json property in a copied build output. <see cref="Error"/> is set when a probe could not run.
/// </summary>
internal sealed record KnobCheck(RuntimeKnob Knob, string AsBuilt, string WithEnvironment, string WithRuntimeConfig, string? Error)
{
    public bool EnvironmentWorks => Error is null && !Same(AsBuilt, WithEnvironment);

    /// <summary>The property had the environment variable's effect: it is a working runtimeconfig.json equivalent.</summary>
    public bool RuntimeConfigWorks => EnvironmentWorks && Same(WithRuntimeConfig, WithEnvironment);

    /// <summary>Equal, or numbers within 15 % of each other (collection and compilation counts move a little between runs).</summary>
    private static bool Same(string a, string b) =>
        a == b || (double.TryParse(a, System.Globalization.CultureInfo.InvariantCulture, out double x) &&
                   double.TryParse(b, System.Globalization.CultureInfo.InvariantCulture, out double y) &&
                   Math.Abs(x - y) <= 0.15 * Math.Max(Math.Abs(x), Math.Abs(y)));
}
