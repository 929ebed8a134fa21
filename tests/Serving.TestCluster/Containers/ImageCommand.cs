namespace Serving.TestCluster.Containers;

/// <summary>
/// What an image means on this machine: the local program that stands for it. Kubernetes' rules apply: a container
/// that sets <c>command</c> replaces <see cref="Entrypoint"/> (and <see cref="DefaultArguments"/>); one that sets
/// <c>args</c> replaces <see cref="DefaultArguments"/>.
/// </summary>
public sealed record ImageCommand
{
    /// <summary>The image's ENTRYPOINT as a local command line, e.g. <c>["dotnet", "/repo/.../serving-runtime.dll"]</c>.</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];

    /// <summary>The image's CMD: arguments used when the container gives none.</summary>
    public IReadOnlyList<string> DefaultArguments { get; init; } = [];

    /// <summary>
    /// The image's WORKDIR: where its programs start when the container sets no <c>workingDir</c> (default: the pod's own
    /// folder). <c>./run.sh --kubernetes</c> names the repository, so that relative <c>file://</c> model URIs in the samples
    /// resolve as they do on the one-machine platform.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment the image sets; the container's own env wins.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Local stand-ins for programs a container names in its <c>command</c>, e.g. <c>"/serving-runtime"</c> →
    /// <c>["dotnet", ".../serving-runtime.dll"]</c>. A command not listed runs as it is (from PATH).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Programs { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// An option whose value becomes the pod's IP (set, or added when missing), for programs that do not read
    /// <c>ASPNETCORE_URLS</c>: <c>"--host"</c> for serving-runtime.
    /// </summary>
    public string? HostArgument { get; init; }

    /// <summary>An option whose value becomes the container's first declared port (set, or added when missing), e.g. <c>"--http_port"</c>.</summary>
    public string? PortArgument { get; init; }
}
