namespace Serving.LoadTests.Tuning;

/// <summary>
/// The gateway run with some <see cref="RuntimeKnob"/>s set: as environment variables, or, for the knobs in
/// <see cref="InRuntimeConfig"/>, as properties in the runtimeconfig.json of a copy of the build output.
/// </summary>
/// <param name="Control">Marks a second, identical default: the difference between the two measures the noise.</param>
internal sealed record TuningVariant(IReadOnlyList<RuntimeKnob> Knobs, IReadOnlyList<RuntimeKnob>? InRuntimeConfig = null, bool Control = false)
{
    public static readonly TuningVariant Default = new([]);

    /// <summary>The default once more, under another name: an A/A comparison that shows how far identical settings drift apart.</summary>
    public static readonly TuningVariant DefaultAgain = new([], Control: true);

    /// <summary>
    /// What the sweep tries first, each against <see cref="Default"/>: every knob alone, gen0 with workstation GC, and
    /// the A/A control.
    /// </summary>
    public static IReadOnlyList<TuningVariant> Singles { get; } =
    [
        Default,
        DefaultAgain,
        .. RuntimeKnob.All.Select(k => new TuningVariant([k])),
        new([RuntimeKnob.Gen0Size, RuntimeKnob.WorkstationGc]),
    ];

    public IReadOnlyList<RuntimeKnob> ConfigKnobs => InRuntimeConfig ?? [];

    public string Name =>
        (Knobs.Count == 0 ? "default" : string.Join(" + ", Knobs.Select(k => k.Name))) +
        (ConfigKnobs.Count > 0 ? " (runtimeconfig.json)" : "") +
        (Control ? " (A/A control)" : "");

    /// <summary>How it is set, for the report: environment variables, then runtimeconfig.json properties.</summary>
    public string Settings
    {
        get
        {
            var parts = Knobs.Where(k => !ConfigKnobs.Contains(k)).Select(k => $"`{k.Environment}`")
                .Concat(ConfigKnobs.Select(k => $"`\"{k.ConfigProperty}\": {k.ConfigValue.ToJsonString()}` in runtimeconfig.json"))
                .ToList();
            return parts.Count == 0 ? "as built (Server GC, concurrent GC off, TieredPGO on)" : string.Join(", ", parts);
        }
    }

    public IReadOnlyDictionary<string, string?> Environment()
    {
        var environment = RuntimeKnob.CleanEnvironment();
        foreach (var knob in Knobs.Where(k => !ConfigKnobs.Contains(k)))
        {
            environment[knob.EnvironmentVariable] = knob.EnvironmentValue;
        }

        return environment;
    }

    /// <summary>Both variants' knobs, in a stable order.</summary>
    public TuningVariant Combine(TuningVariant other) =>
        new([.. RuntimeKnob.All.Where(k => Knobs.Contains(k) || other.Knobs.Contains(k))]);

    public bool SameKnobs(TuningVariant other) => Knobs.Count == other.Knobs.Count && Knobs.All(other.Knobs.Contains);

    /// <summary>The same knobs, with those whose runtimeconfig.json property was shown to work moved there.</summary>
    public TuningVariant AsRuntimeConfig(IEnumerable<RuntimeKnob> working) => this with { InRuntimeConfig = [.. Knobs.Where(working.Contains)] };
}
