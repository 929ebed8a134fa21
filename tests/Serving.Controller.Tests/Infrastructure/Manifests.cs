using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Loading;

namespace Serving.Controller.Tests.Infrastructure;

/// <summary>Loads the golden input files for tests that assert on single facts.</summary>
internal static class Manifests
{
    public static InferenceService Isvc(string folder, string file, string? name = null) =>
        Load(folder, file).InferenceServices.First(i => name is null || i.Metadata.Name == name);

    public static InferenceGraph Graph(string folder, string file) => Load(folder, file).InferenceGraphs.First();

    public static LoadResult Load(string folder, string file)
    {
        var result = ManifestLoader.LoadFile(Golden.InputPath(folder, file));
        Assert.Empty(result.Errors);
        return result;
    }
}
