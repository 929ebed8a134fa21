using System.Text;
using k8s.Models;
using Serving.TestCluster.Containers;

namespace Serving.TestCluster.Volumes;

/// <summary>
/// Host folders for a pod's volumes: emptyDir → a folder of the pod's; persistentVolumeClaim → <see cref="ClaimFolders"/>;
/// hostPath → that path; configMap, secret and the configMap/secret sources of projected volumes → files written from
/// the objects. Other kinds (downwardAPI, service account tokens, cloud disks) get an empty folder.
/// </summary>
internal static class PodVolumes
{
    /// <summary>Volume name → host folder. Throws <see cref="ContainerConfigException"/> when a required object is missing.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> PrepareAsync(
        V1Pod pod, string podDirectory, ClaimFolders claims, ReferencedObjects objects, CancellationToken cancellationToken)
    {
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            string own = Path.Combine(podDirectory, "volumes", volume.Name);
            if (volume.PersistentVolumeClaim is { } claim)
            {
                folders[volume.Name] = await claims.ResolveAsync(pod.Metadata.NamespaceProperty, claim.ClaimName, cancellationToken).ConfigureAwait(false);
            }
            else if (volume.HostPath is { } hostPath)
            {
                folders[volume.Name] = Directory.CreateDirectory(hostPath.Path).FullName;
            }
            else
            {
                Directory.CreateDirectory(own);
                folders[volume.Name] = own;
                if (volume.ConfigMap is { } configMap)
                {
                    WriteConfigMap(own, configMap.Name, configMap.Items, configMap.Optional, objects);
                }
                else if (volume.Secret is { } secret)
                {
                    WriteSecret(own, secret.SecretName, secret.Items, secret.Optional, objects);
                }

                foreach (var source in volume.Projected?.Sources ?? [])
                {
                    if (source.ConfigMap is { } projectedConfigMap)
                    {
                        WriteConfigMap(own, projectedConfigMap.Name, projectedConfigMap.Items, projectedConfigMap.Optional, objects);
                    }
                    else if (source.Secret is { } projectedSecret)
                    {
                        WriteSecret(own, projectedSecret.Name, projectedSecret.Items, projectedSecret.Optional, objects);
                    }
                }
            }
        }

        return folders;
    }

    private static void WriteConfigMap(string folder, string name, IList<V1KeyToPath>? items, bool? optional, ReferencedObjects objects)
    {
        if (objects.ConfigMap(name) is not { } configMap)
        {
            ThrowUnlessOptional(optional, $"configmap \"{name}\" not found");
            return;
        }

        var values = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
        {
            values[key] = Encoding.UTF8.GetBytes(value);
        }

        foreach (var (key, value) in configMap.BinaryData ?? new Dictionary<string, byte[]>())
        {
            values[key] = value;
        }

        WriteItems(folder, $"configmap \"{name}\"", values, items, optional);
    }

    private static void WriteSecret(string folder, string name, IList<V1KeyToPath>? items, bool? optional, ReferencedObjects objects)
    {
        if (objects.Secret(name) is not { } secret)
        {
            ThrowUnlessOptional(optional, $"secret \"{name}\" not found");
            return;
        }

        WriteItems(folder, $"secret \"{name}\"", secret.Data ?? new Dictionary<string, byte[]>(), items, optional);
    }

    private static void WriteItems(string folder, string what, IDictionary<string, byte[]> values, IList<V1KeyToPath>? items, bool? optional)
    {
        var selected = items is { Count: > 0 }
            ? items.Select(item => (item.Key, item.Path))
            : values.Keys.Select(key => (Key: key, Path: key));
        foreach (var (key, path) in selected)
        {
            if (!values.TryGetValue(key, out byte[]? content))
            {
                ThrowUnlessOptional(optional, $"{what} has no key \"{key}\"");
                continue;
            }

            string file = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(file, content);
        }
    }

    private static void ThrowUnlessOptional(bool? optional, string message)
    {
        if (optional != true)
        {
            throw new ContainerConfigException(message);
        }
    }
}
