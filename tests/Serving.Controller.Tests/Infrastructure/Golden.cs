using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Controller.Api;

namespace Serving.Controller.Tests.Infrastructure;

/// <summary>
/// Golden files: <c>&lt;folder&gt;/Golden/&lt;case&gt;.yaml</c> in, <c>&lt;case&gt;.json</c> expected. The comparison is on
/// indented JSON text, so a diff shows exactly what changed. <c>UPDATE_GOLDEN=1 dotnet test</c> rewrites the expected
/// files in the source tree (review the diff before committing).
/// </summary>
internal static class Golden
{
    private static readonly string SourceRoot = ProjectDirectory();

    public static TheoryData<string> Cases(string folder)
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, folder, "Golden"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    public static string InputPath(string folder, string name) => Path.Combine(AppContext.BaseDirectory, folder, "Golden", name + ".yaml");

    public static void AssertMatches(string folder, string name, JsonNode actual)
    {
        string actualText = actual.ToJsonString(KubeJson.Indented).ReplaceLineEndings("\n") + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceRoot, folder, "Golden", name + ".json"), actualText);
            return;
        }

        string expectedPath = Path.Combine(AppContext.BaseDirectory, folder, "Golden", name + ".json");
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with UPDATE_GOLDEN=1 to create it");
        string expected = File.ReadAllText(expectedPath).ReplaceLineEndings("\n");
        Assert.Equal(expected, actualText);
    }

    public static JsonNode ToNode<T>(T value) => JsonSerializer.SerializeToNode(value, KubeJson.Options)!;

    private static string ProjectDirectory([CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
