using System.Globalization;
using System.Runtime.InteropServices;
using k8s;
using Microsoft.Extensions.Logging;
using Serving.TestCluster.Containers;
using Serving.TestCluster.Nodes;

namespace Serving.TestCluster.Hosting;

/// <summary><c>node-agent --kubeconfig K --node NAME --images FILE [...]</c>: runs a <see cref="NodeAgent"/> until SIGINT or SIGTERM.</summary>
internal static class NodeAgentCommand
{
    public const string Usage = """
        usage: Serving.TestCluster node-agent --kubeconfig FILE --node NAME --images FILE [options]
          --kubeconfig FILE          the cluster to join (kubeconfig with rights on nodes, leases and pods)
          --node NAME                the Node's name
          --images FILE              JSON object: image -> {"entrypoint": [...], "defaultArguments": [...], "environment": {...},
                                     "programs": {...}, "hostArgument": "--host", "portArgument": "--http_port"}
          --work-dir DIR             pods' folders and container logs (default: a temp folder)
          --pvc-root DIR             folder per PersistentVolumeClaim: DIR/{namespace}/{claim} (default: WORK/volumes)
          --address 127.X.Y.1        the node's address; pods get the rest of its /24 (default: random)
          --backoff-base SECONDS     first crash-loop back-off (default 10)
          --log-level LEVEL          Trace, Debug, Information, Warning, Error (default Information)
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        Dictionary<string, string> values;
        try
        {
            values = Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + "\n" + Usage).ConfigureAwait(false);
            return 2;
        }

        string? Take(string name) => values.Remove(name, out string? value) ? value : null;
        string? kubeconfig = Take("kubeconfig");
        string? node = Take("node");
        string? images = Take("images");
        string? level = Take("log-level");
        string? workDirectory = Take("work-dir");
        string? pvcRoot = Take("pvc-root");
        string? address = Take("address");
        string? backoff = Take("backoff-base");
        if (kubeconfig is null || node is null || images is null || values.Count > 0)
        {
            await Console.Error.WriteLineAsync((values.Count > 0 ? $"unknown option --{values.Keys.First()}\n" : "--kubeconfig, --node and --images are required\n") + Usage).ConfigureAwait(false);
            return 2;
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(Enum.Parse<LogLevel>(level ?? "Information", ignoreCase: true)));
        var options = new NodeAgentOptions
        {
            NodeName = node,
            Images = ImageMap.Load(images),
            WorkDirectory = workDirectory,
            PersistentVolumeRoot = pvcRoot,
            Address = address is not null ? System.Net.IPAddress.Parse(address) : null,
            RestartBackoffBase = TimeSpan.FromSeconds(double.Parse(backoff ?? "10", CultureInfo.InvariantCulture)),
        };

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        await using var agent = await NodeAgent.StartAsync(client, options, loggers, cancellationToken: stop.Token).ConfigureAwait(false);
        await Task.WhenAny(agent.Completion, Task.Delay(Timeout.InfiniteTimeSpan, stop.Token)).ConfigureAwait(false);
        return agent.Completion.IsFaulted ? 1 : 0;
    }

    private static Dictionary<string, string> Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            string name = arg[2..];
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                values[name[..equals]] = name[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"option --{name} needs a value");
            }
        }

        return values;
    }
}
