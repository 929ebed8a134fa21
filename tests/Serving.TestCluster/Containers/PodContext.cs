using k8s.Models;
using Serving.TestCluster.Volumes;

namespace Serving.TestCluster.Containers;

/// <summary>What every container of one pod shares: the pod, its addresses, folders and the objects it references.</summary>
internal sealed record PodContext(
    V1Pod Pod,
    string PodIP,
    string HostIP,
    string PodDirectory,
    IReadOnlyDictionary<string, string> Volumes,
    ReferencedObjects Objects,
    Uri ApiServer)
{
    public string Namespace => Pod.Metadata.NamespaceProperty;

    public string Name => Pod.Metadata.Name;

    /// <summary>The container's mount path → host folder (subPath applied; subPath folders are created).</summary>
    public IReadOnlyDictionary<string, string> Mounts(V1Container container)
    {
        var mounts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!Volumes.TryGetValue(mount.Name, out string? folder))
            {
                throw new ContainerConfigException($"volume \"{mount.Name}\" mounted at {mount.MountPath} is not declared in the pod");
            }

            if (!string.IsNullOrEmpty(mount.SubPath))
            {
                folder = Path.Combine(folder, mount.SubPath);
                if (!File.Exists(folder))
                {
                    Directory.CreateDirectory(folder);
                }
            }

            mounts[mount.MountPath] = folder;
        }

        return mounts;
    }
}
