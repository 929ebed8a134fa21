namespace Serving.Runtime.Tests.Infrastructure;

internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Iris => Path.Combine(Root, "samples", "models", "iris");

    /// <summary>A fetched third-party model folder; fails with what to run when it is missing.</summary>
    public static string FetchedModel(string name)
    {
        string dir = Path.Combine(Root, ".models", name);
        Assert.True(File.Exists(Path.Combine(dir, "model.onnx")), $"{dir}/model.onnx is missing: run scripts/fetch-models.sh (./test.sh does)");
        return dir;
    }

    /// <summary>The built serving-runtime.dll copied next to the tests.</summary>
    public static string RuntimeDll => Path.Combine(AppContext.BaseDirectory, "serving-runtime.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
