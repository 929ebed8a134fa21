namespace Serving.TestCluster.Containers;

/// <summary>A container as a local process: what to run, with what environment, where.</summary>
internal sealed record LaunchSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory);

/// <summary>A container that cannot be started as specified (kubelet: CreateContainerConfigError).</summary>
internal sealed class ContainerConfigException(string message) : Exception(message);

/// <summary>An image the agent cannot map to a local program (kubelet: ErrImagePull, then ImagePullBackOff).</summary>
internal sealed class ImageNotFoundException(string message) : Exception(message);
