namespace Serving.TestCluster.Tests.Infrastructure;

internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Iris => Path.Combine(Root, "samples", "models", "iris");

    /// <summary>The built serving-runtime.dll copied next to the tests.</summary>
    public static string RuntimeDll => Path.Combine(AppContext.BaseDirectory, "serving-runtime.dll");

    public static string Resource(string name) => Path.Combine(AppContext.BaseDirectory, "Resources", name);

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
