using Serving.Autoscaling.Configuration;
using Serving.Controller.Local.Processes;

namespace Serving.Controller.Local;

public sealed record LocalPlatformOptions
{
    /// <summary>The folder of KServe YAML to run, watched for changes.</summary>
    public required string ManifestDirectory { get; init; }

    /// <summary>The runtime to start per replica: <c>serving-runtime</c> (apphost) or <c>serving-runtime.dll</c>.</summary>
    public required string RuntimePath { get; init; }

    /// <summary>Relative <c>storageUri</c> paths resolve against this folder.</summary>
    public string StorageRoot { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>
    /// What the platform keeps across restarts (each service's creation time, status and revisions), as the API server
    /// does in a cluster: a restarted platform resumes the same revisions and traffic.
    /// </summary>
    public required string StateDirectory { get; init; }

    /// <summary>Scratch space (model links for single-file storage URIs); under the state folder by default.</summary>
    public string ScratchDirectory
    {
        get => field ?? Path.Combine(StateDirectory, "scratch");
        init;
    }

    /// <summary>Cluster-wide autoscaler settings (Knative's <c>config-autoscaler</c>); annotations override per service.</summary>
    public AutoscalingConfig Autoscaling { get; init; } = AutoscalingConfig.Default;

    public ReplicaTimings Replicas { get; init; } = new();

    /// <summary>Added to every replica's environment (the tracing destination, so a runtime's spans join the gateway's).</summary>
    public IReadOnlyDictionary<string, string> ReplicaEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>How often the folder is checked for changes.</summary>
    public TimeSpan ScanInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often load is sampled into the autoscaler's windows.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often the autoscaler decides (Knative: 2 s); activation decides at once.</summary>
    public TimeSpan DecisionInterval { get; init; } = TimeSpan.FromSeconds(2);
}
