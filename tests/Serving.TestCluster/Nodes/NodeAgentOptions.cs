using System.Net;
using Serving.TestCluster.Containers;

namespace Serving.TestCluster.Nodes;

/// <summary>How a <see cref="NodeAgent"/> presents its Node and runs pods.</summary>
public sealed record NodeAgentOptions
{
    public required string NodeName { get; init; }

    public required ImageMap Images { get; init; }

    /// <summary>Where pods' folders (emptyDirs, configMap and secret files, container logs) go; a temp folder by default.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>
    /// The folder standing for a PersistentVolumeClaim, by claim name. Claims not listed get
    /// <c>{PersistentVolumeRoot}/{namespace}/{claim}</c>, created on first use.
    /// </summary>
    public IReadOnlyDictionary<string, string> PersistentVolumes { get; init; } = new Dictionary<string, string>();

    /// <summary>Root for claims not in <see cref="PersistentVolumes"/>; <c>{WorkDirectory}/volumes</c> by default.</summary>
    public string? PersistentVolumeRoot { get; init; }

    /// <summary>
    /// The node's own address (its InternalIP and every pod's hostIP), in 127.0.0.0/8. Pods get the following addresses
    /// of the same /24 (.2 to .254). By default a random 127.X.Y.1, so that agents of parallel tests do not collide.
    /// </summary>
    public IPAddress? Address { get; init; }

    /// <summary>First delay before restarting a crashed container; doubles per crash (kubelet: 10 s).</summary>
    public TimeSpan RestartBackoffBase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most a restart waits (kubelet: 5 min).</summary>
    public TimeSpan RestartBackoffMax { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the node's Lease is renewed (kubelet: every 10 s of a 40 s lease).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Capacity and allocatable of the Node; generous so that the scheduler never refuses a test pod.</summary>
    public IReadOnlyDictionary<string, string> Capacity { get; init; } = new Dictionary<string, string>
    {
        ["cpu"] = "32",
        ["memory"] = "64Gi",
        ["pods"] = "110",
        ["ephemeral-storage"] = "100Gi",
    };

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Delete the Node when the agent stops, so that nothing is scheduled onto a node that is gone.</summary>
    public bool DeleteNodeOnStop { get; init; } = true;
}
