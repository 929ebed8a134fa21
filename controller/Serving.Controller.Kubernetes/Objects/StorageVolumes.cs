using System.Text.Json;
using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.Core;

namespace Serving.Controller.Kubernetes.Objects;

/// <summary>
/// How a revision's model reaches <c>/mnt/models</c> (kserve-api.md §7): <c>pvc://{claim}/{path}</c> mounts the claim
/// read-only (no copy); any other URI is downloaded by a <c>storage-initializer</c> init container into an emptyDir that
/// the serving container mounts read-only. The initializer refuses what it cannot fetch, naming the URI, and its failure
/// shows in the InferenceService's status.
/// </summary>
internal static class StorageVolumes
{
    public const string InitContainerName = "storage-initializer";
    public const string DownloadVolume = "kserve-provision-location";
    public const string ClaimVolume = "kserve-pvc-source";

    /// <summary>The init container (null for a PVC), the volume, and the serving container's mount; all null without a URI.</summary>
    /// <param name="env">The initializer's environment (credentials and endpoints for its URI).</param>
    public static (JsonObject? InitContainer, JsonObject? Volume, JsonObject? Mount) For(string? storageUri, string image, IReadOnlyList<EnvVar>? env = null)
    {
        if (string.IsNullOrEmpty(storageUri))
        {
            return (null, null, null);
        }

        if (storageUri.StartsWith("pvc://", StringComparison.Ordinal))
        {
            string rest = storageUri["pvc://".Length..];
            int slash = rest.IndexOf('/', StringComparison.Ordinal);
            string claim = slash < 0 ? rest : rest[..slash];
            string path = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
            var mount = new JsonObject { ["name"] = ClaimVolume, ["mountPath"] = ObjectSettings.ModelMountPath, ["readOnly"] = true };
            if (path.Length > 0)
            {
                mount["subPath"] = path;
            }

            return (null, new JsonObject { ["name"] = ClaimVolume, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = claim, ["readOnly"] = true } }, mount);
        }

        var initializer = new JsonObject
        {
            ["name"] = InitContainerName,
            ["image"] = image,
            ["args"] = new JsonArray("storage-initializer", storageUri, ObjectSettings.ModelMountPath),
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = DownloadVolume, ["mountPath"] = ObjectSettings.ModelMountPath }),
            ["resources"] = new JsonObject
            {
                ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "100Mi" },
                ["limits"] = new JsonObject { ["cpu"] = "1", ["memory"] = "1Gi" },
            },
            // Its last lines are what the status quotes when it fails (access denied, no such object).
            ["terminationMessagePolicy"] = "FallbackToLogsOnError",
        };
        if (env is { Count: > 0 })
        {
            initializer["env"] = JsonSerializer.SerializeToNode(env, KubeJson.Options);
        }

        return (
            initializer,
            new JsonObject { ["name"] = DownloadVolume, ["emptyDir"] = new JsonObject() },
            new JsonObject { ["name"] = DownloadVolume, ["mountPath"] = ObjectSettings.ModelMountPath, ["readOnly"] = true });
    }
}
