namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>
/// The platform a scenario drives, whichever runs it: <see cref="PlatformProcess"/> (serving-local, one machine) or
/// <see cref="ClusterPlatform"/> (<c>scripts/run-kubernetes.sh</c>). Both have the gateway's admin port (<c>/routes</c>,
/// <c>/metrics</c>); they differ in where a service's status is read and how a manifest reaches the platform.
/// </summary>
internal interface IServingPlatform : IAsyncDisposable
{
    Uri Gateway { get; }

    AdminClient Admin { get; }

    /// <summary>The process started for it; its process tree is the platform (CPU samples).</summary>
    int ProcessId { get; }

    /// <summary>The process that runs the gateway (serving-local itself on one machine): the overload's memory bound.</summary>
    int GatewayProcessId { get; }

    bool HasExited { get; }

    string CommandLine { get; }

    /// <summary>One InferenceService's KServe-shaped object; null when it does not exist or the platform is down.</summary>
    Task<ServiceStatus?> StatusAsync(string name, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="manifest"/> into the manifest folder and has the platform take it (a changed manifest: a canary, a mode switch).</summary>
    Task ApplyAsync(Manifest manifest, CancellationToken cancellationToken);
}
