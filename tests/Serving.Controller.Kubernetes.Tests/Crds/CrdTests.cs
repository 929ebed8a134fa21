using Serving.Controller.Api.Schema;
using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Serving.Controller.Loading;

namespace Serving.Controller.Kubernetes.Tests.Crds;

/// <summary>The committed CRDs are what the generator writes from the C# types: one source of truth.</summary>
public sealed class CrdTests
{
    public static TheoryData<string> Kinds => [.. CustomResourceDefinitions.Kinds.Select(k => k.Plural)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_committed_CRD_is_what_the_types_generate(string plural)
    {
        var kind = CustomResourceDefinitions.Kinds.Single(k => k.Plural == plural);
        string path = Path.Combine(RepoPaths.Root, "controller", "crds", CustomResourceDefinitions.FileName(kind));
        string generated = CustomResourceDefinitions.Document(kind);
        if (Environment.GetEnvironmentVariable("UPDATE_CRDS") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run `dotnet run --project controller/Serving.Controller.Kubernetes.Host -- crds --output controller/crds`");
        Assert.True(
            File.ReadAllText(path) == generated,
            $"{path} differs from what the C# types generate: run `dotnet run --project controller/Serving.Controller.Kubernetes.Host -- crds --output controller/crds` and commit the result");
    }

    [Fact]
    public void The_committed_CRDs_load_as_YAML_and_declare_KServe_s_names()
    {
        foreach (var kind in CustomResourceDefinitions.Kinds)
        {
            string text = File.ReadAllText(Path.Combine(RepoPaths.Root, "controller", "crds", CustomResourceDefinitions.FileName(kind)));
            var parsed = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(text);
            Assert.Equal("CustomResourceDefinition", parsed["kind"]);
        }

        var isvc = CustomResourceDefinitions.Generate(CustomResourceDefinitions.Kinds[0]);
        Assert.Equal("inferenceservices.serving.kserve.io", isvc["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("isvc", isvc["spec"]!["names"]!["shortNames"]![0]!.GetValue<string>());
    }
}
