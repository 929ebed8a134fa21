using System.Runtime.InteropServices;
using k8s.Models;

namespace Serving.TestCluster.Nodes;

/// <summary>The Node and its Lease as the kubelet writes them (pure functions of the options and the time).</summary>
internal static class NodeObjects
{
    public const string LeaseNamespace = "kube-node-lease";
    public const int LeaseDurationSeconds = 40;

    public static V1Node Node(NodeAgentOptions options, string address, DateTime now)
    {
        var labels = new Dictionary<string, string>(options.Labels)
        {
            ["kubernetes.io/hostname"] = options.NodeName,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = Architecture(),
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = Architecture(),
            ["node.serving.test/agent"] = "true",
        };
        return new V1Node
        {
            ApiVersion = "v1",
            Kind = "Node",
            Metadata = new V1ObjectMeta { Name = options.NodeName, Labels = labels },
            Spec = new V1NodeSpec(),
            Status = Status(options, address, now),
        };
    }

    public static V1NodeStatus Status(NodeAgentOptions options, string address, DateTime now)
    {
        var capacity = options.Capacity.ToDictionary(c => c.Key, c => new ResourceQuantity(c.Value));
        return new V1NodeStatus
        {
            Capacity = capacity,
            Allocatable = new Dictionary<string, ResourceQuantity>(capacity),
            Conditions =
            [
                Condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                Condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                Condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                Condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
                Condition("NetworkUnavailable", "False", "RouteCreated", "pods are on loopback addresses of this machine", now),
            ],
            Addresses =
            [
                new V1NodeAddress { Address = address, Type = "InternalIP" },
                new V1NodeAddress { Address = options.NodeName, Type = "Hostname" },
            ],
            DaemonEndpoints = new V1NodeDaemonEndpoints { KubeletEndpoint = new V1DaemonEndpoint { Port = 0 } },
            NodeInfo = new V1NodeSystemInfo
            {
                Architecture = Architecture(),
                OperatingSystem = "linux",
                OsImage = OsImage(),
                KernelVersion = Environment.OSVersion.Version.ToString(),
                KubeletVersion = "v1.20.2",
                KubeProxyVersion = "v1.20.2",
                ContainerRuntimeVersion = "serving-node-agent://1.0",
                MachineID = options.NodeName,
                SystemUUID = options.NodeName,
                BootID = BootId,
            },
        };
    }

    public static V1Lease Lease(string nodeName, string nodeUid, DateTime now) => new()
    {
        ApiVersion = "coordination.k8s.io/v1",
        Kind = "Lease",
        Metadata = new V1ObjectMeta
        {
            Name = nodeName,
            NamespaceProperty = LeaseNamespace,
            OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = nodeName, Uid = nodeUid }],
        },
        Spec = new V1LeaseSpec { HolderIdentity = nodeName, LeaseDurationSeconds = LeaseDurationSeconds, RenewTime = now },
    };

    private static readonly string BootId = Guid.NewGuid().ToString();

    private static V1NodeCondition Condition(string type, string status, string reason, string message, DateTime now) =>
        new() { Type = type, Status = status, Reason = reason, Message = message, LastHeartbeatTime = now, LastTransitionTime = now };

    private static string Architecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        _ => "amd64",
    };

    private static string OsImage()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            return line?["PRETTY_NAME=".Length..].Trim('"') ?? "Linux";
        }
        catch (IOException)
        {
            return "Linux";
        }
    }
}
