namespace Serving.TestCluster.Containers;

/// <summary>
/// Rewrites a container's paths to the host folders standing for its volume mounts: <c>/mnt/models</c> in
/// <c>--model_dir=/mnt/models</c> or <c>/mnt/models/iris</c> becomes the folder of the volume mounted there. A mount
/// path matches only as a whole path (<c>/mnt/modelsX</c> is left alone); the longest mount wins.
/// </summary>
internal sealed class MountPaths
{
    private const string Before = "=:,; \"'";
    private const string After = "/:,; \"'";
    private readonly (string MountPath, string HostPath)[] _mounts;

    public MountPaths(IEnumerable<KeyValuePair<string, string>> mounts) =>
        _mounts = [.. mounts.Select(m => (m.Key.TrimEnd('/'), m.Value)).Where(m => m.Item1.Length > 0).OrderByDescending(m => m.Item1.Length)];

    public string Rewrite(string value)
    {
        if (_mounts.Length == 0 || !value.Contains('/', StringComparison.Ordinal))
        {
            return value;
        }

        var result = new System.Text.StringBuilder(value.Length);
        int i = 0;
        while (i < value.Length)
        {
            var match = i == 0 || Before.Contains(value[i - 1], StringComparison.Ordinal) ? MatchAt(value, i) : null;
            if (match is var (mountPath, hostPath))
            {
                result.Append(hostPath);
                i += mountPath.Length;
            }
            else
            {
                result.Append(value[i]);
                i++;
            }
        }

        return result.ToString();
    }

    private (string, string)? MatchAt(string value, int start)
    {
        foreach (var (mountPath, hostPath) in _mounts)
        {
            int end = start + mountPath.Length;
            if (string.CompareOrdinal(value, start, mountPath, 0, mountPath.Length) == 0
                && (end == value.Length || After.Contains(value[end], StringComparison.Ordinal)))
            {
                return (mountPath, hostPath);
            }
        }

        return null;
    }
}
