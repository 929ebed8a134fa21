using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Serving.TestCluster.Volumes;

/// <summary>The ConfigMaps and Secrets a pod's volumes and environment name, read once before its containers start.</summary>
internal sealed class ReferencedObjects
{
    private readonly Dictionary<string, V1ConfigMap> _configMaps;
    private readonly Dictionary<string, V1Secret> _secrets;

    public ReferencedObjects(IEnumerable<V1ConfigMap> configMaps, IEnumerable<V1Secret> secrets)
    {
        _configMaps = configMaps.ToDictionary(c => c.Metadata.Name, StringComparer.Ordinal);
        _secrets = secrets.ToDictionary(s => s.Metadata.Name, StringComparer.Ordinal);
    }

    public static ReferencedObjects Empty { get; } = new([], []);

    public V1ConfigMap? ConfigMap(string name) => _configMaps.GetValueOrDefault(name);

    public V1Secret? Secret(string name) => _secrets.GetValueOrDefault(name);

    public static async Task<ReferencedObjects> FetchAsync(IKubernetes client, V1Pod pod, CancellationToken cancellationToken)
    {
        var (configMapNames, secretNames) = Names(pod);
        string ns = pod.Metadata.NamespaceProperty;
        var configMaps = new List<V1ConfigMap>();
        foreach (string name in configMapNames)
        {
            if (await GetOrNullAsync(() => client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken)) is { } configMap)
            {
                configMaps.Add(configMap);
            }
        }

        var secrets = new List<V1Secret>();
        foreach (string name in secretNames)
        {
            if (await GetOrNullAsync(() => client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken)) is { } secret)
            {
                secrets.Add(secret);
            }
        }

        return new ReferencedObjects(configMaps, secrets);
    }

    private static (HashSet<string> ConfigMaps, HashSet<string> Secrets) Names(V1Pod pod)
    {
        var configMaps = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var volume in pod.Spec.Volumes ?? [])
        {
            AddIf(configMaps, volume.ConfigMap?.Name);
            AddIf(secrets, volume.Secret?.SecretName);
            foreach (var source in volume.Projected?.Sources ?? [])
            {
                AddIf(configMaps, source.ConfigMap?.Name);
                AddIf(secrets, source.Secret?.Name);
            }
        }

        foreach (var container in (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers ?? []))
        {
            foreach (var env in container.Env ?? [])
            {
                AddIf(configMaps, env.ValueFrom?.ConfigMapKeyRef?.Name);
                AddIf(secrets, env.ValueFrom?.SecretKeyRef?.Name);
            }

            foreach (var from in container.EnvFrom ?? [])
            {
                AddIf(configMaps, from.ConfigMapRef?.Name);
                AddIf(secrets, from.SecretRef?.Name);
            }
        }

        return (configMaps, secrets);
    }

    private static void AddIf(HashSet<string> names, string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            names.Add(name);
        }
    }

    private static async Task<T?> GetOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
