using System.Globalization;
using System.Text;
using k8s.Models;

namespace Serving.TestCluster.Containers;

/// <summary>
/// Turns a container spec into a local command line, following the kubelet where it can: command/args over the image's
/// ENTRYPOINT/CMD, env and envFrom (configMap, secret, fieldRef, resourceFieldRef) with <c>$(VAR)</c> expansion, the
/// kubernetes service variables (pointing at the real API server), and HOSTNAME. Then the stand-ins: mount paths in
/// args, env and workingDir become host folders; ASPNETCORE_URLS names the pod IP and declared ports; the image's
/// host/port options get the pod's address (regular containers only: an init container listens on nothing, and a
/// program such as the storage initializer would refuse a --host it does not know).
/// </summary>
internal static class LaunchSpecBuilder
{
    /// <summary>Host variables a local program needs to run at all (a container would have its image's).</summary>
    private static readonly string[] Inherited = ["PATH", "HOME", "LANG", "TMPDIR", "USER"];

    public static LaunchSpec Build(PodContext pod, V1Container container, ImageCommand image, bool init = false)
    {
        var mounts = new MountPaths(pod.Mounts(container));
        var env = Environment(pod, container, image);
        var argv = Arguments(container, image, env, pod, init);
        if (argv.Count == 0)
        {
            throw new ContainerConfigException($"container \"{container.Name}\" has no command and image \"{container.Image}\" no entrypoint in the image map");
        }

        var rewritten = argv.Select(mounts.Rewrite).ToList();
        var finalEnv = env.ToDictionary(e => e.Key, e => mounts.Rewrite(e.Value), StringComparer.Ordinal);
        string workingDirectory = image.WorkingDirectory ?? pod.PodDirectory;
        if (!string.IsNullOrEmpty(container.WorkingDir) && mounts.Rewrite(container.WorkingDir) is var dir && Directory.Exists(dir))
        {
            workingDirectory = dir;
        }

        return new LaunchSpec(rewritten[0], rewritten.Skip(1).ToList(), finalEnv, workingDirectory);
    }

    private static List<string> Arguments(V1Container container, ImageCommand image, IReadOnlyDictionary<string, string> env, PodContext pod, bool init)
    {
        var argv = new List<string>();
        if (container.Command is { Count: > 0 } command)
        {
            string program = Expand(command[0], env);
            argv.AddRange(image.Programs.TryGetValue(program, out var stand) ? stand : [program]);
            argv.AddRange(command.Skip(1).Select(c => Expand(c, env)));
            argv.AddRange((container.Args ?? []).Select(a => Expand(a, env)));
        }
        else
        {
            argv.AddRange(image.Entrypoint);
            argv.AddRange(container.Args is { Count: > 0 } args ? args.Select(a => Expand(a, env)) : image.DefaultArguments);
        }

        if (init)
        {
            return argv;
        }

        if (image.HostArgument is { } host)
        {
            SetOption(argv, host, pod.PodIP);
        }

        if (image.PortArgument is { } port && container.Ports?.FirstOrDefault() is { } first)
        {
            SetOption(argv, port, first.ContainerPort.ToString(CultureInfo.InvariantCulture));
        }

        return argv;
    }

    /// <summary>Sets <c>--opt VALUE</c> or <c>--opt=VALUE</c> wherever it is (either spelling of - and _), or appends it.</summary>
    private static void SetOption(List<string> argv, string option, string value)
    {
        string wanted = Normalize(option);
        bool found = false;
        for (int i = 0; i < argv.Count; i++)
        {
            int equals = argv[i].IndexOf('=', StringComparison.Ordinal);
            string name = equals >= 0 ? argv[i][..equals] : argv[i];
            if (Normalize(name) != wanted)
            {
                continue;
            }

            found = true;
            if (equals >= 0)
            {
                argv[i] = name + "=" + value;
            }
            else if (i + 1 < argv.Count)
            {
                argv[++i] = value;
            }
        }

        if (!found)
        {
            argv.Add(option);
            argv.Add(value);
        }
    }

    private static string Normalize(string option) => option.Replace('_', '-');

    private static Dictionary<string, string> Environment(PodContext pod, V1Container container, ImageCommand image)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in Inherited)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                env[name] = value;
            }
        }

        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string key && key.StartsWith("DOTNET_", StringComparison.Ordinal) && entry.Value is string value)
            {
                env[key] = value;
            }
        }

        foreach (var (key, value) in image.Environment)
        {
            env[key] = value;
        }

        // What the kubelet sets for the default namespace's kubernetes service; here the API server's real address.
        string apiHost = pod.ApiServer.Host;
        string apiPort = pod.ApiServer.Port.ToString(CultureInfo.InvariantCulture);
        env["KUBERNETES_SERVICE_HOST"] = apiHost;
        env["KUBERNETES_SERVICE_PORT"] = apiPort;
        env["KUBERNETES_SERVICE_PORT_HTTPS"] = apiPort;
        env["KUBERNETES_PORT"] = $"tcp://{apiHost}:{apiPort}";
        env["HOSTNAME"] = pod.Name;
        var urls = (container.Ports ?? []).Where(p => p.Protocol is null or "TCP").Select(p => $"http://{pod.PodIP}:{p.ContainerPort}").ToList();
        if (urls.Count > 0)
        {
            env["ASPNETCORE_URLS"] = string.Join(';', urls);
        }

        foreach (var from in container.EnvFrom ?? [])
        {
            foreach (var (key, value) in EnvFrom(pod, from))
            {
                env[(from.Prefix ?? "") + key] = value;
            }
        }

        // Kubernetes expands $(VAR) in env values against the variables defined before them.
        var defined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.Env ?? [])
        {
            string? value = variable.ValueFrom is { } source ? ValueFrom(pod, container, source) : Expand(variable.Value ?? "", defined);
            if (value is not null)
            {
                env[variable.Name] = value;
                defined[variable.Name] = value;
            }
        }

        return env;
    }

    private static IEnumerable<KeyValuePair<string, string>> EnvFrom(PodContext pod, V1EnvFromSource from)
    {
        if (from.ConfigMapRef is { } configMapRef)
        {
            if (pod.Objects.ConfigMap(configMapRef.Name) is { } configMap)
            {
                return configMap.Data ?? new Dictionary<string, string>();
            }

            return configMapRef.Optional == true ? [] : throw new ContainerConfigException($"configmap \"{configMapRef.Name}\" not found");
        }

        if (from.SecretRef is { } secretRef)
        {
            if (pod.Objects.Secret(secretRef.Name) is { } secret)
            {
                return (secret.Data ?? new Dictionary<string, byte[]>()).Select(d => KeyValuePair.Create(d.Key, Encoding.UTF8.GetString(d.Value)));
            }

            return secretRef.Optional == true ? [] : throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
        }

        return [];
    }

    private static string? ValueFrom(PodContext pod, V1Container container, V1EnvVarSource source)
    {
        if (source.FieldRef is { } field)
        {
            return FieldValue(pod, field.FieldPath);
        }

        if (source.ResourceFieldRef is { } resource)
        {
            var (kind, name) = resource.Resource.Split('.', 2) is [var k, var n] ? (k, n) : ("", resource.Resource);
            var quantities = kind == "limits" ? container.Resources?.Limits : container.Resources?.Requests;
            return quantities?.TryGetValue(name, out var quantity) == true ? quantity.ToString() : "0";
        }

        if (source.ConfigMapKeyRef is { } configMapKey)
        {
            if (pod.Objects.ConfigMap(configMapKey.Name)?.Data?.TryGetValue(configMapKey.Key, out string? value) == true)
            {
                return value;
            }

            return configMapKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {configMapKey.Key} in ConfigMap {pod.Namespace}/{configMapKey.Name}");
        }

        if (source.SecretKeyRef is { } secretKey)
        {
            if (pod.Objects.Secret(secretKey.Name)?.Data?.TryGetValue(secretKey.Key, out byte[]? value) == true)
            {
                return Encoding.UTF8.GetString(value);
            }

            return secretKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {pod.Namespace}/{secretKey.Name}");
        }

        return null;
    }

    private static string FieldValue(PodContext pod, string path)
    {
        var metadata = pod.Pod.Metadata;
        return path switch
        {
            "metadata.name" => metadata.Name,
            "metadata.namespace" => metadata.NamespaceProperty,
            "metadata.uid" => metadata.Uid,
            "spec.nodeName" => pod.Pod.Spec.NodeName,
            "spec.serviceAccountName" => pod.Pod.Spec.ServiceAccountName ?? "default",
            "status.podIP" or "status.podIPs" => pod.PodIP,
            "status.hostIP" or "status.hostIPs" => pod.HostIP,
            _ when path.StartsWith("metadata.labels['", StringComparison.Ordinal) => Keyed(metadata.Labels, path),
            _ when path.StartsWith("metadata.annotations['", StringComparison.Ordinal) => Keyed(metadata.Annotations, path),
            _ => throw new ContainerConfigException($"unsupported fieldRef {path}"),
        };
    }

    private static string Keyed(IDictionary<string, string>? values, string path)
    {
        int open = path.IndexOf("['", StringComparison.Ordinal) + 2;
        string key = path[open..path.LastIndexOf("']", StringComparison.Ordinal)];
        return values?.TryGetValue(key, out string? value) == true ? value : "";
    }

    /// <summary>Kubernetes' <c>$(VAR)</c> expansion: defined names are replaced, <c>$$</c> escapes, the rest stays as written.</summary>
    internal static string Expand(string value, IReadOnlyDictionary<string, string> env)
    {
        if (!value.Contains('$', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] != '$' || i + 1 >= value.Length)
            {
                result.Append(value[i]);
            }
            else if (value[i + 1] == '$')
            {
                result.Append('$');
                i++;
            }
            else if (value[i + 1] == '(' && value.IndexOf(')', i + 2) is var close and > 0
                && env.TryGetValue(value[(i + 2)..close], out string? replacement))
            {
                result.Append(replacement);
                i = close;
            }
            else
            {
                result.Append(value[i]);
            }
        }

        return result.ToString();
    }
}
