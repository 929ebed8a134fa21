using Serving.TestCluster.Containers;

namespace Serving.TestCluster.Tests.Containers;

public sealed class MountPathsTests
{
    private readonly MountPaths _paths = new(new Dictionary<string, string>
    {
        ["/mnt/models"] = "/tmp/pod/models",
        ["/mnt/models/cache/"] = "/tmp/pod/cache",
        ["/work"] = "/tmp/pod/work",
    });

    [Theory]
    [InlineData("/mnt/models", "/tmp/pod/models")]
    [InlineData("--model_dir=/mnt/models", "--model_dir=/tmp/pod/models")]
    [InlineData("/mnt/models/iris/model.onnx", "/tmp/pod/models/iris/model.onnx")]
    [InlineData("/mnt/models/cache/x", "/tmp/pod/cache/x")]
    [InlineData("echo hi > /work/greeting; cat /work/greeting", "echo hi > /tmp/pod/work/greeting; cat /tmp/pod/work/greeting")]
    [InlineData("PATH=/work:/bin", "PATH=/tmp/pod/work:/bin")]
    [InlineData("/mnt/modelsX", "/mnt/modelsX")]
    [InlineData("/other/mnt/models", "/other/mnt/models")]
    [InlineData("plain", "plain")]
    public void Rewrites_whole_mount_paths_only(string value, string expected) => Assert.Equal(expected, _paths.Rewrite(value));
}
