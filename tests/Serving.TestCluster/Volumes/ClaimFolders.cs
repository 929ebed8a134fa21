using System.Net;
using k8s;
using k8s.Autorest;

namespace Serving.TestCluster.Volumes;

/// <summary>
/// The folder standing for a PersistentVolumeClaim: the one configured for the claim's name; else the hostPath or
/// local path of the PersistentVolume the claim is bound to; else <c>{root}/{namespace}/{claim}</c>.
/// </summary>
internal sealed class ClaimFolders(IKubernetes client, IReadOnlyDictionary<string, string> configured, string root)
{
    public async Task<string> ResolveAsync(string ns, string claim, CancellationToken cancellationToken)
    {
        if (configured.TryGetValue(claim, out string? folder))
        {
            return Directory.CreateDirectory(folder).FullName;
        }

        try
        {
            var pvc = await client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync(claim, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (pvc.Spec?.VolumeName is { Length: > 0 } volumeName)
            {
                var pv = await client.CoreV1.ReadPersistentVolumeAsync(volumeName, cancellationToken: cancellationToken).ConfigureAwait(false);
                if ((pv.Spec?.HostPath?.Path ?? pv.Spec?.Local?.Path) is { Length: > 0 } path)
                {
                    return Directory.CreateDirectory(path).FullName;
                }
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // no such claim or volume object: the folder under root still stands for it
        }

        return Directory.CreateDirectory(Path.Combine(root, ns, claim)).FullName;
    }
}
