using System.Net;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Controller.Api.Schema;
using Serving.Hosting;
using Serving.Kubernetes.Client;

namespace Serving.Controller.Kubernetes.Hosting;

/// <summary>
/// <c>serving-controller</c>: the controller on a Kubernetes API server. Replicas elect a leader on a Lease; the leader
/// runs the <see cref="KubernetesController"/>, the others stand by and take over when its Lease lapses. A leader that
/// loses its Lease, or a controller loop that ends, stops the process (the pod restarts as a follower), never leaving a
/// replica half-working. <c>Program.cs</c> only calls <see cref="RunAsync"/>.
/// </summary>
public static partial class ControllerHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(ControllerOptions.Usage);
            return 0;
        }

        if (args is ["crds", .. var rest])
        {
            if (rest is not ([] or ["--output", _]))
            {
                await Console.Error.WriteLineAsync("usage: serving-controller crds [--output DIR]");
                return 2;
            }

            WriteCrds(rest is [_, var dir] ? dir : null);
            return 0;
        }

        ControllerOptions options;
        KubernetesClientConfiguration configuration;
        try
        {
            options = ControllerOptions.Parse(args);
            configuration = Configuration(options);
        }
        catch (Exception e) when (e is ControllerOptionsException or k8s.Exceptions.KubeConfigException or IOException)
        {
            await Console.Error.WriteLineAsync($"serving-controller: {e.Message}");
            if (e is ControllerOptionsException)
            {
                await Console.Error.WriteLineAsync(ControllerOptions.Usage);
            }

            return 2;
        }

        await using var app = Build(options, configuration);
        await app.RunAsync();
        return Environment.ExitCode;
    }

    /// <summary>The controller as a host: the leader election and the controller loop, and the health endpoints.</summary>
    public static WebApplication Build(ControllerOptions options, KubernetesClientConfiguration configuration, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = ServerBuilder.Create(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (options.HealthPort > 0)
            {
                kestrel.Listen(IPAddress.Any, options.HealthPort);
            }
        });
        if (options.HealthPort == 0)
        {
            builder.Services.AddSingleton<IServer, NoListener>(); // no socket at all (Kestrel would otherwise take port 5000)
        }

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => new k8s.Kubernetes(configuration));
        builder.Services.AddSingleton<Leadership>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Leadership>());
        configure?.Invoke(builder);
        var app = builder.Build();
        var leadership = app.Services.GetRequiredService<Leadership>();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/readyz", () => leadership.Ready ? Results.Ok(new { status = "ready", leader = leadership.Leading }) : Results.StatusCode(503));
        return app;
    }

    private static KubernetesClientConfiguration Configuration(ControllerOptions options) => KubeConfig.Load(options.Kubeconfig);

    private static void WriteCrds(string? output)
    {
        foreach (var kind in CustomResourceDefinitions.Kinds)
        {
            string text = CustomResourceDefinitions.Document(kind);
            if (output is null)
            {
                Console.Write("---\n" + text);
            }
            else
            {
                Directory.CreateDirectory(output);
                File.WriteAllText(Path.Combine(output, CustomResourceDefinitions.FileName(kind)), text);
            }
        }
    }

    /// <summary>
    /// Runs for the host's lifetime: without leader election the controller at once; with it, the controller while this
    /// replica leads. Losing the lead, or the controller loop failing, stops the host with exit code 1.
    /// </summary>
    internal sealed partial class Leadership(
        ControllerOptions options, k8s.Kubernetes client, TimeProvider time, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : BackgroundService
    {
        private readonly ILogger _logger = loggers.CreateLogger<Leadership>();
        private volatile KubernetesController? _controller;

        public bool Leading { get; private set; }

        /// <summary>Ready: standing by, or leading with every cache synced.</summary>
        public bool Ready => options.LeaderElect && !Leading || _controller?.Synced.IsCompletedSuccessfully == true;

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                if (!options.LeaderElect)
                {
                    Leading = true;
                    await LeadAsync(stoppingToken);
                    return;
                }

                string ns = options.LeaseNamespace ?? KubeConfig.PodNamespace() ?? "default";
                var lease = new LeaseLock(client, ns, options.LeaseName, options.Identity);
                using var elector = new LeaderElector(new LeaderElectionConfig(lease)
                {
                    LeaseDuration = options.LeaseDuration,
                    RenewDeadline = options.RenewDeadline,
                    RetryPeriod = options.RetryPeriod,
                });
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                Task? controller = null;
                elector.OnStartedLeading += () =>
                {
                    Leading = true;
                    LogLeading(_logger, options.Identity, $"{ns}/{options.LeaseName}");
                    controller = LeadAsync(leading.Token);
                };
                elector.OnNewLeader += leader => LogLeader(_logger, leader);
                elector.OnError += e => LogElectionError(_logger, e.Message);
                LogCandidate(_logger, options.Identity, $"{ns}/{options.LeaseName}");
                await elector.RunUntilLeadershipLostAsync(stoppingToken);
                await leading.CancelAsync();
                if (controller is not null)
                {
                    await controller.ContinueWith(_ => { }, TaskScheduler.Default);
                }

                if (!stoppingToken.IsCancellationRequested)
                {
                    LogLost(_logger, options.Identity);
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // shutting down
            }
        }

        private async Task LeadAsync(CancellationToken cancellationToken)
        {
            var controller = new KubernetesController(options, new KubeApi(client), time, loggers);
            _controller = controller;
            try
            {
                await controller.RunAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // stopped: shutting down, or no longer leading
            }
            catch (Exception e)
            {
                LogFailed(_logger, e);
                Environment.ExitCode = 1;
                lifetime.StopApplication();
            }
        }

        [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "{Identity} is a candidate for the lease {Lease}")]
        private static partial void LogCandidate(ILogger logger, string identity, string lease);

        [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "{Identity} leads (lease {Lease}): reconciling")]
        private static partial void LogLeading(ILogger logger, string identity, string lease);

        [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "the leader is {Leader}")]
        private static partial void LogLeader(ILogger logger, string leader);

        [LoggerMessage(EventId = 3403, Level = LogLevel.Warning, Message = "leader election: {Error}")]
        private static partial void LogElectionError(ILogger logger, string error);

        [LoggerMessage(EventId = 3404, Level = LogLevel.Error, Message = "{Identity} lost its lease: stopping, so that another replica takes over")]
        private static partial void LogLost(ILogger logger, string identity);

        [LoggerMessage(EventId = 3405, Level = LogLevel.Critical, Message = "the controller stopped on a failure: stopping the process")]
        private static partial void LogFailed(ILogger logger, Exception exception);
    }

    /// <summary>The server when the health endpoints are off: the application runs, nothing listens.</summary>
    private sealed class NoListener : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
