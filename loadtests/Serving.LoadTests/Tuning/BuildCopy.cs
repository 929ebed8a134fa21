using System.Text.Json;
using System.Text.Json.Nodes;

namespace Serving.LoadTests.Tuning;

/// <summary>
/// A copy of a build output folder, optionally with properties added to its runtimeconfig.json. The benchmark runs
/// the gateway from a copy so that a rebuild by someone else mid-run cannot change what is measured.
/// </summary>
internal static class BuildCopy
{
    /// <summary>Copies <paramref name="sourceDir"/> (top level and subfolders) to <paramref name="targetDir"/>, replacing it.</summary>
    /// <returns>The path of <paramref name="entryDll"/> inside the copy.</returns>
    public static string Create(string sourceDir, string targetDir, string entryDll, IEnumerable<RuntimeKnob> configKnobs)
    {
        if (Directory.Exists(targetDir))
        {
            Directory.Delete(targetDir, recursive: true);
        }

        foreach (string file in Directory.EnumerateFiles(sourceDir, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(targetDir, Path.GetRelativePath(sourceDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var knobs = configKnobs.ToList();
        if (knobs.Count > 0)
        {
            string config = RuntimeConfigPath(Path.Combine(targetDir, entryDll));
            var root = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
            var options = root["runtimeOptions"]!.AsObject();
            if (options["configProperties"] is not JsonObject properties)
            {
                properties = [];
                options["configProperties"] = properties;
            }

            foreach (var knob in knobs)
            {
                properties[knob.ConfigProperty] = knob.ConfigValue.DeepClone();
            }

            File.WriteAllText(config, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        return Path.Combine(targetDir, entryDll);
    }

    public static string RuntimeConfigPath(string entryDll) => Path.ChangeExtension(entryDll, ".runtimeconfig.json");
}
