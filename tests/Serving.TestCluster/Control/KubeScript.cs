using Serving.TestCluster.Processes;

namespace Serving.TestCluster.Control;

/// <summary>
/// The repository's <c>scripts/kube.sh</c>: the one place that knows how the binaries are built, where they are
/// cached and how the control plane is started. <c>SERVING_KUBE_SCRIPT</c> overrides where it is.
/// </summary>
internal sealed class KubeScript(string path)
{
    public const string Variable = "SERVING_KUBE_SCRIPT";

    public string Path { get; } = path;

    public static KubeScript Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return new KubeScript(configured);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "scripts", "kube.sh");
            if (File.Exists(candidate))
            {
                return new KubeScript(candidate);
            }
        }

        throw new InvalidOperationException($"scripts/kube.sh not found above {AppContext.BaseDirectory}; set {Variable}");
    }

    /// <summary>Where <c>kube.sh install</c> put the binaries; fails with what to run when they are missing.</summary>
    public async Task<KubeBinaries> PathsAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["paths"], TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The Kubernetes test binaries are missing: run 'scripts/kube.sh install' (./test.sh does; the first build takes about 6 minutes).\n{result.StandardError}".TrimEnd());
        }

        var paths = result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        return new KubeBinaries(paths["kube-apiserver"], paths["kubectl"], paths["helm"]);
    }

    public Task<CommandResult> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        CommandRunner.RunAsync("bash", [Path, .. arguments], environment: null, standardInput: null, timeout, cancellationToken);
}

/// <summary>Paths of the binaries that <c>kube.sh install</c> caches.</summary>
internal sealed record KubeBinaries(string ApiServer, string Kubectl, string Helm);
