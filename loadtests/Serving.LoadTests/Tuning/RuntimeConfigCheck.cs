using System.Text.Json;
using Serving.LoadTests.Server;

namespace Serving.LoadTests.Tuning;

/// <summary>
/// Shows, by effect, which knobs have a working runtimeconfig.json equivalent: <see cref="RuntimeKnobsProbe"/> runs
/// under the gateway's own runtimeconfig.json (<c>dotnet exec --runtimeconfig</c>) as built, with the environment
/// variable, and from a copy of the build output whose runtimeconfig.json carries the property instead.
/// </summary>
internal sealed class RuntimeConfigCheck(string gatewayBuildDir, string entryDll, string workDir)
{
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(60);

    private readonly string _self = Path.Combine(AppContext.BaseDirectory, "serving-loadtests.dll");

    public async Task<IReadOnlyList<KnobCheck>> RunAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        string asBuiltConfig = BuildCopy.RuntimeConfigPath(Path.Combine(gatewayBuildDir, entryDll));
        var (asBuilt, baseError) = await ProbeAsync(asBuiltConfig, RuntimeKnob.CleanEnvironment(), cancellationToken);
        var checks = new List<KnobCheck>();
        foreach (var knob in RuntimeKnob.All)
        {
            var environment = RuntimeKnob.CleanEnvironment();
            environment[knob.EnvironmentVariable] = knob.EnvironmentValue;
            var (withEnvironment, envError) = await ProbeAsync(asBuiltConfig, environment, cancellationToken);

            string copy = BuildCopy.Create(
                gatewayBuildDir, Path.Combine(workDir, "runtimeconfig-check", knob.ConfigProperty), entryDll, [knob]);
            var (withConfig, configError) = await ProbeAsync(BuildCopy.RuntimeConfigPath(copy), RuntimeKnob.CleanEnvironment(), cancellationToken);

            var check = new KnobCheck(
                knob,
                Observed(asBuilt, knob),
                Observed(withEnvironment, knob),
                Observed(withConfig, knob),
                baseError ?? envError ?? configError);
            progress(
                $"{knob.Name}: {knob.Observable} as built {check.AsBuilt}, {knob.Environment} {check.WithEnvironment}, " +
                $"\"{knob.ConfigProperty}\" {check.WithRuntimeConfig} → runtimeconfig.json {(check.RuntimeConfigWorks ? "works" : "has no effect")}" +
                (check.Error is { } e ? $" ERROR: {e}" : ""));
            checks.Add(check);
        }

        return checks;
    }

    private static string Observed(JsonElement? probe, RuntimeKnob knob) =>
        probe is { } p && p.TryGetProperty(knob.Observable, out var value) ? value.ToString() : "–";

    private async Task<(JsonElement? Observed, string? Error)> ProbeAsync(
        string runtimeConfig, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        string depsFile = Path.ChangeExtension(_self, ".deps.json");
        var spec = new ProcessSpec(
            "runtime-knobs probe", "dotnet", ["exec", "--runtimeconfig", runtimeConfig, "--depsfile", depsFile, _self, "runtime-knobs"], environment);
        var (exitCode, output) = await ShortCommand.RunAsync(spec, ProbeLimit, cancellationToken);
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith('{'));
        if (exitCode != 0 || line is null)
        {
            return (null, $"probe exited with {exitCode}: {output.Trim()}");
        }

        using var json = JsonDocument.Parse(line);
        return (json.RootElement.Clone(), null);
    }
}
