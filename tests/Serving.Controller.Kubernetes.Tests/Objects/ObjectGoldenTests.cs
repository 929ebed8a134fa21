using System.Runtime.CompilerServices;
using System.Text;
using Serving.Controller.Kubernetes.Objects;
using Serving.Controller.Loading;

namespace Serving.Controller.Kubernetes.Tests.Objects;

/// <summary>
/// An InferenceService's or InferenceGraph's YAML in (Golden/&lt;case&gt;.yaml, with any ServingRuntimes it needs), its ExternalName Service
/// and its revisions' objects out (Golden/&lt;case&gt;.objects.yaml): what the controller applies, from pure functions. <c>UPDATE_GOLDEN=1</c> rewrites
/// the expected files in the source tree (review the diff before committing).
/// </summary>
public sealed class ObjectGoldenTests
{
    private static readonly ObjectSettings Settings = new("serving-scaler.serving-system.svc:9090");

    public static TheoryData<string> Cases => [.. GoldenCases.Names];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Objects_match(string name)
    {
        var text = new StringBuilder();
        foreach (var address in GoldenCases.Addresses(name, Settings))
        {
            text.Append("---\n").Append(YamlWriter.Write(address));
        }

        foreach (var objects in GoldenCases.Objects(name, Settings))
        {
            text.Append("---\n").Append(YamlWriter.Write(objects.Deployment));
            text.Append("---\n").Append(YamlWriter.Write(objects.Service));
            if (objects.Scaling.Autoscaler is { } autoscaler)
            {
                text.Append("---\n").Append(YamlWriter.Write(autoscaler.Object));
            }
        }

        string expectedPath = Path.Combine(GoldenCases.Folder, name + ".objects.yaml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceFolder(), "Golden", name + ".objects.yaml"), text.ToString());
            return;
        }

        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), text.ToString());
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
