using k8s;
using Microsoft.Extensions.Logging;
using Serving.Hosting;
using Serving.TestCluster.Keda;

namespace Serving.TestCluster.Hosting;

/// <summary><c>keda --kubeconfig K [...]</c>: runs a <see cref="KedaStandIn"/> (test infrastructure, not KEDA) until SIGINT or SIGTERM.</summary>
internal static class KedaCommand
{
    public const string Usage = """
        usage: Serving.TestCluster keda --kubeconfig FILE [options]
          a stand-in for KEDA's operator and the HPA it creates, for ScaledObjects with external/external-push triggers
          --kubeconfig FILE                  the cluster (rights on scaledobjects, their status, and deployments/scale)
          --hpa-sync-period-s S              kube-controller-manager --horizontal-pod-autoscaler-sync-period (default 15)
          --downscale-stabilization-s S      --horizontal-pod-autoscaler-downscale-stabilization (default 300)
          --log-level LEVEL                  Trace, Debug, Information, Warning, Error (default Information)
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var defaults = new KedaStandInOptions();
        string? kubeconfig, level;
        KedaStandInOptions settings;
        try
        {
            var options = new CommandOptions(args);
            (kubeconfig, level) = (options.Take("kubeconfig"), options.Take("log-level"));
            settings = defaults with
            {
                HpaSyncPeriod = options.TakeSeconds("hpa-sync-period-s", defaults.HpaSyncPeriod),
                DownscaleStabilization = options.TakeSeconds("downscale-stabilization-s", defaults.DownscaleStabilization),
            };
            if (options.Unknown is { } unknown)
            {
                throw new ArgumentException(unknown);
            }

            if (kubeconfig is null)
            {
                throw new ArgumentException("--kubeconfig is required");
            }
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + "\n" + Usage).ConfigureAwait(false);
            return 2;
        }

        using var loggers = LoggerFactory.Create(b => b.AddServingConsole(Enum.Parse<LogLevel>(level ?? "Information", ignoreCase: true)));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        using var stop = new StopSignal();
        await using var keda = await KedaStandIn.StartAsync(client, settings, loggers).ConfigureAwait(false);
        return await stop.RunUntilAsync(keda.Completion).ConfigureAwait(false);
    }
}
