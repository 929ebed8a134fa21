using Serving.TestCluster.Containers;

namespace Serving.TestCluster.Tests.Infrastructure;

/// <summary>The images test pods use: the repository's runtime, and a "busybox" whose commands are this machine's.</summary>
internal static class TestImages
{
    public static ImageMap Map { get; } = new(new Dictionary<string, ImageCommand>
    {
        ["serving-runtime"] = new()
        {
            Entrypoint = ["dotnet", RepoPaths.RuntimeDll],
            HostArgument = "--host",
            PortArgument = "--http_port",
        },
        ["busybox"] = new() { Entrypoint = ["sh"] },
    });
}
