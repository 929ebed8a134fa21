using k8s;
using Microsoft.Extensions.Logging;
using Serving.Hosting;
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
        string? kubeconfig, node, images, level, workDirectory, pvcRoot, address;
        TimeSpan backoff;
        try
        {
            var given = new CommandOptions(args);
            (kubeconfig, node, images, level) = (given.Take("kubeconfig"), given.Take("node"), given.Take("images"), given.Take("log-level"));
            (workDirectory, pvcRoot, address) = (given.Take("work-dir"), given.Take("pvc-root"), given.Take("address"));
            backoff = given.TakeSeconds("backoff-base", TimeSpan.FromSeconds(10));
            if (given.Unknown is { } unknown)
            {
                throw new ArgumentException(unknown);
            }

            if (kubeconfig is null || node is null || images is null)
            {
                throw new ArgumentException("--kubeconfig, --node and --images are required");
            }
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + "\n" + Usage).ConfigureAwait(false);
            return 2;
        }

        using var loggers = LoggerFactory.Create(b => b.AddServingConsole(Enum.Parse<LogLevel>(level ?? "Information", ignoreCase: true)));
        var options = new NodeAgentOptions
        {
            NodeName = node,
            Images = ImageMap.Load(images),
            WorkDirectory = workDirectory,
            PersistentVolumeRoot = pvcRoot,
            Address = address is not null ? System.Net.IPAddress.Parse(address) : null,
            RestartBackoffBase = backoff,
        };

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        using var stop = new StopSignal();
        await using var agent = await NodeAgent.StartAsync(client, options, loggers, cancellationToken: stop.Token).ConfigureAwait(false);
        return await stop.RunUntilAsync(agent.Completion).ConfigureAwait(false);
    }
}
