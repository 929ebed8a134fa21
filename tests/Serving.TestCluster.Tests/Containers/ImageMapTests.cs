using Serving.TestCluster.Containers;

namespace Serving.TestCluster.Tests.Containers;

public sealed class ImageMapTests
{
    private static readonly ImageCommand Runtime = new() { Entrypoint = ["serving-runtime"] };
    private static readonly ImageCommand Pinned = new() { Entrypoint = ["pinned"] };

    private readonly ImageMap _map = new(new Dictionary<string, ImageCommand>
    {
        ["serving-runtime"] = Runtime,
        ["ghcr.io/x/tool:2"] = Pinned,
    });

    [Theory]
    [InlineData("serving-runtime")]
    [InlineData("serving-runtime:latest")]
    [InlineData("ghcr.io/example/serving-runtime:1.0")]
    [InlineData("localhost:5000/serving-runtime@sha256:abc")]
    public void Matches_by_repository_name(string image) => Assert.Same(Runtime, _map.Resolve(image));

    [Fact]
    public void An_exact_image_wins_and_other_tags_do_not_match()
    {
        Assert.Same(Pinned, _map.Resolve("ghcr.io/x/tool:2"));
        Assert.Null(_map.Resolve("ghcr.io/x/tool:3"));
        Assert.Null(_map.Resolve("nginx"));
    }

    [Fact]
    public void Loads_from_json()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, """{"serving-runtime": {"entrypoint": ["dotnet", "/x/serving-runtime.dll"], "hostArgument": "--host"}}""");
        var map = ImageMap.Load(file);
        File.Delete(file);
        var command = map.Resolve("serving-runtime:1")!;
        Assert.Equal(["dotnet", "/x/serving-runtime.dll"], command.Entrypoint);
        Assert.Equal("--host", command.HostArgument);
    }
}
