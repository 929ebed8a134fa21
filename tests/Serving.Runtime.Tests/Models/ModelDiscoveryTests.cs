using Serving.Runtime.Models;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Models;

public sealed class ModelDiscoveryTests
{
    private static readonly byte[] Model = [1];

    [Fact]
    public void A_bare_model_onnx_takes_the_configured_name()
    {
        using var dir = new ModelDir().Add("model.onnx", Model);

        var found = ModelDiscovery.Discover(dir.Path, "iris");

        Assert.Equal([new ModelLocation("iris", null, Path.Combine(dir.Path, "model.onnx"))], found);
    }

    [Fact]
    public void A_bare_model_onnx_takes_the_configured_version()
    {
        using var dir = new ModelDir().Add("model.onnx", Model);

        var found = ModelDiscovery.Discover(dir.Path, "iris", "2");

        Assert.Equal([new ModelLocation("iris", "2", Path.Combine(dir.Path, "model.onnx"))], found);
    }

    [Fact]
    public void A_single_onnx_file_with_its_own_name_counts_as_model_onnx()
    {
        using var dir = new ModelDir().Add("ch_ppocr_mobile_v2.0_cls_infer.onnx", Model);

        var found = ModelDiscovery.Discover(dir.Path, null);

        Assert.Equal("model", Assert.Single(found).Name);
    }

    [Fact]
    public void Folders_name_models_and_numeric_subfolders_are_versions()
    {
        using var dir = new ModelDir()
            .Add("a/model.onnx", Model)
            .Add("b/1/model.onnx", Model)
            .Add("b/10/model.onnx", Model)
            .Add("b/notes/model.onnx", Model)
            .Add("c/readme.txt", Model);

        var found = ModelDiscovery.Discover(dir.Path, "ignored");

        Assert.Equal(
            ["a:", "b:1", "b:10"],
            found.Select(l => $"{l.Name}:{l.Version}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Missing_folder_or_no_model_is_an_error_that_says_what_was_expected()
    {
        using var empty = new ModelDir();

        var missing = Assert.Throws<ModelDiscoveryException>(() => ModelDiscovery.Discover("/nonexistent", null));
        var none = Assert.Throws<ModelDiscoveryException>(() => ModelDiscovery.Discover(empty.Path, null));

        Assert.Equal("model directory '/nonexistent' does not exist", missing.Message);
        Assert.Contains("expected model.onnx, <model>/model.onnx or <model>/<version>/model.onnx", none.Message);
    }
}
