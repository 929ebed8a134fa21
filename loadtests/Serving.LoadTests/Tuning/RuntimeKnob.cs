using System.Text.Json.Nodes;

namespace Serving.LoadTests.Tuning;

/// <summary>
/// One .NET runtime setting the gateway sweep tries: its environment variable, the runtimeconfig.json property that
/// might do the same (checked by effect in <see cref="RuntimeConfigCheck"/>, not assumed), and the
/// <see cref="RuntimeKnobsProbe"/> observation that shows whether it took effect.
/// </summary>
/// <param name="ProjectSetting">How a project file would set <paramref name="ConfigProperty"/>, for the report.</param>
internal sealed record RuntimeKnob(
    string Name,
    string EnvironmentVariable,
    string EnvironmentValue,
    string ConfigProperty,
    JsonNode ConfigValue,
    string Observable,
    string ProjectSetting)
{
    public static readonly RuntimeKnob WorkstationGc = new(
        "workstation GC", "DOTNET_gcServer", "0", "System.GC.Server", JsonValue.Create(false), "gcServer",
        "<ServerGarbageCollection>false</ServerGarbageCollection>");

    public static readonly RuntimeKnob Gen0Size = new(
        "gen0 64 MiB", "DOTNET_GCgen0size", "0x4000000", "System.GC.Gen0Size", JsonValue.Create(0x4000000), "gen0GcsPerGiB",
        "<RuntimeHostConfigurationOption Include=\"System.GC.Gen0Size\" Value=\"67108864\" />");

    public static readonly RuntimeKnob DatasOff = new(
        "DATAS off", "DOTNET_GCDynamicAdaptationMode", "0", "System.GC.DynamicAdaptationMode", JsonValue.Create(0), "gen0GcsPerGiB",
        "<GarbageCollectionAdaptationMode>0</GarbageCollectionAdaptationMode>");

    public static readonly RuntimeKnob InlineCompletions = new(
        "inline socket completions", "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1", "System.Net.Sockets.InlineCompletions",
        JsonValue.Create(true), "inlineSocketCompletions",
        "<RuntimeHostConfigurationOption Include=\"System.Net.Sockets.InlineCompletions\" Value=\"true\" />");

    public static readonly RuntimeKnob SpinLimitZero = new(
        "spin limit 0", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0", "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit",
        JsonValue.Create(0), "spinLimit",
        "<RuntimeHostConfigurationOption Include=\"System.Threading.ThreadPool.UnfairSemaphoreSpinLimit\" Value=\"0\" />");

    public static readonly RuntimeKnob TieredPgoOff = new(
        "TieredPGO off", "DOTNET_TieredPGO", "0", "System.Runtime.TieredPGO", JsonValue.Create(false), "tier1CompilationsPerHotMethod",
        "<TieredPGO>false</TieredPGO>");

    public static IReadOnlyList<RuntimeKnob> All { get; } =
        [WorkstationGc, Gen0Size, DatasOff, InlineCompletions, SpinLimitZero, TieredPgoOff];

    public string Environment => $"{EnvironmentVariable}={EnvironmentValue}";

    /// <summary>Every knob's variable removed: the starting point for a child's environment, so the caller's shell cannot leak in.</summary>
    public static Dictionary<string, string?> CleanEnvironment() =>
        All.ToDictionary(k => k.EnvironmentVariable, _ => (string?)null, StringComparer.Ordinal);
}
