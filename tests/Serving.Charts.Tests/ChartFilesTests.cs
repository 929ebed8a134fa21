using System.Text.Json.Nodes;
using Serving.Charts.Tests.Infrastructure;
using Serving.Controller.Api.Schema;
using Serving.Controller.RuntimeSelection;

namespace Serving.Charts.Tests;

/// <summary>
/// One source of truth: the CRDs are generated from the C# types (<c>serving-controller crds</c>) and the default runtime
/// is the controller's embedded one; the chart's <c>files/</c> hold copies, and these tests fail when a copy differs.
/// </summary>
public sealed class ChartFilesTests
{
    public static TheoryData<string> Kinds => [.. CustomResourceDefinitions.Kinds.Select(k => k.Plural)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_chart_s_CRD_is_what_the_types_generate(string plural)
    {
        var kind = CustomResourceDefinitions.Kinds.Single(k => k.Plural == plural);
        string path = Path.Combine(Chart.Path, "files", "crds", CustomResourceDefinitions.FileName(kind));
        string generated = CustomResourceDefinitions.Document(kind);
        if (Environment.GetEnvironmentVariable("UPDATE_CRDS") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(
            File.Exists(path) && File.ReadAllText(path) == generated,
            $"{path} differs from what the C# types generate: run `dotnet run --project controller/Serving.Controller.Kubernetes.Host -- crds --output {Path.GetRelativePath(Chart.Repository, Path.GetDirectoryName(path)!)}` (or the tests with UPDATE_CRDS=1) and commit the result");
    }

    [Fact]
    public void The_chart_has_no_CRD_the_types_do_not_generate()
    {
        var expected = CustomResourceDefinitions.Kinds.Select(CustomResourceDefinitions.FileName).Order(StringComparer.Ordinal);
        var actual = Directory.EnumerateFiles(Path.Combine(Chart.Path, "files", "crds")).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_chart_s_runtime_is_the_controller_s_embedded_default()
    {
        var embedded = DefaultRuntimes.Manifests();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Chart.Path, "files", "runtimes")))
        {
            string name = Path.GetFileName(file);
            Assert.True(embedded.TryGetValue(name, out string? text), $"{name}: the controller embeds no such default runtime");
            Assert.True(
                File.ReadAllText(file) == text,
                $"{file} differs from controller/Serving.Controller/RuntimeSelection/DefaultRuntimes/{name}: copy it over");
        }

        Assert.Equal(embedded.Count, Directory.EnumerateFiles(Path.Combine(Chart.Path, "files", "runtimes")).Count());
    }

    [Fact]
    public async Task Rendered_CRDs_are_the_generated_ones_with_the_chart_s_labels_and_the_keep_policy()
    {
        var rendered = await Chart.TemplateAsync();
        foreach (var kind in CustomResourceDefinitions.Kinds)
        {
            var generated = CustomResourceDefinitions.Generate(kind);
            var crd = rendered.Get("CustomResourceDefinition", (string)generated["metadata"]!["name"]!).DeepClone().AsObject();
            var metadata = crd["metadata"]!.AsObject();
            Assert.Equal("keep", (string?)metadata["annotations"]?["helm.sh/resource-policy"]);
            Assert.Equal("sp", (string?)metadata["labels"]?["app.kubernetes.io/instance"]);
            metadata.Remove("labels");
            metadata.Remove("annotations");
            Assert.True(JsonNode.DeepEquals(generated, crd), $"{kind.Plural}: the rendered CRD differs from the generated one beyond its labels and annotations");
        }
    }

    [Fact]
    public async Task The_rendered_runtime_is_the_embedded_one_with_the_chart_s_image()
    {
        var rendered = await Chart.TemplateAsync("--set", "image.registry=registry.example.com:5000", "--set", "image.tag=1.2.3");
        var runtime = rendered.Get("ClusterServingRuntime", DefaultRuntimes.OnnxRuntimeName);
        var embedded = Yaml.Documents(DefaultRuntimes.Manifests()[DefaultRuntimes.OnnxRuntimeName + ".yaml"]).Single();
        var container = runtime["spec"]!["containers"]![0]!.AsObject();
        Assert.Equal("registry.example.com:5000/serving-platform/serving-runtime:1.2.3", (string?)container["image"]);
        container["image"] = embedded["spec"]!["containers"]![0]!["image"]!.DeepClone();
        Assert.True(JsonNode.DeepEquals(embedded["spec"], runtime["spec"]), "the rendered runtime's spec differs from the embedded one beyond the image");
    }
}
