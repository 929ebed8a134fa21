using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serving.Controller.Api;
using Serving.Controller.Local.Scaling;
using Serving.Controller.Local.Status;
using Serving.Gateway.Activation;
using Serving.Gateway.Admin;
using Serving.Gateway.Graph;
using Serving.Gateway.Hosting;
using Serving.Gateway.Routing;
using Serving.Gateway.Sources;
using Serving.Controller.Api.V1Beta1;
using Serving.Scaler.Feed;
using Serving.Scaler.Hosting;

namespace Serving.Controller.Local.Hosting;

/// <summary>
/// The whole platform in one process: the gateway (inference and admin ports) with the local backend feeding its
/// routing model and answering its activation signal. <c>Program.cs</c> only calls <see cref="RunAsync"/>.
/// </summary>
public static class LocalHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(LocalOptions.Usage);
            return 0;
        }

        WebApplication app;
        try
        {
            app = Build(LocalOptions.Parse(args));
        }
        catch (LocalOptionsException e)
        {
            await Console.Error.WriteLineAsync($"serving-local: {e.Message}");
            await Console.Error.WriteLineAsync(LocalOptions.Usage);
            return 2;
        }
        catch (GatewayOptionsException e)
        {
            await Console.Error.WriteLineAsync($"serving-local: {e.Message}"); // the API keys file does not parse
            return 2;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the platform; <paramref name="configure"/> may replace services (a <see cref="TimeProvider"/>, a traffic draw).</summary>
    public static WebApplication Build(LocalOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return GatewayHost.Build(options.Gateway, builder =>
        {
            var services = builder.Services;
            services.AddSingleton<LocalActivation>();
            services.AddSingleton<InMemoryRouteSource>();
            services.AddSingleton<IRouteSource>(sp => sp.GetRequiredService<InMemoryRouteSource>());
            services.AddSingleton<IActivationSignal>(sp => sp.GetRequiredService<LocalActivation>());
            services.AddSingleton(options.Platform);
            services.AddSingleton(sp => new LocalPlatform(
                options.Platform, sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<GraphCatalog>(), sp.GetRequiredService<InMemoryRouteSource>(),
                sp.GetRequiredService<LocalActivation>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
            services.AddSingleton(sp => sp.GetRequiredService<LocalPlatform>().Status);
            services.AddSingleton<IAdminStatus, StatusEndpoint>();
            services.AddHostedService<PlatformService>();
            // The scaler reads what the gateway publishes, in memory: a KEDA-compatible client can watch this machine.
            services.AddSingleton(sp => new InMemoryMetricsStore(sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IMetricsWriter>(sp => sp.GetRequiredService<InMemoryMetricsStore>());
            if (options.Scaler is { } scaler)
            {
                services.AddSingleton(sp => new ScalerService(scaler, sp.GetRequiredService<InMemoryMetricsStore>()));
                services.AddHostedService(sp => sp.GetRequiredService<ScalerService>());
            }

            configure?.Invoke(builder);
        });
    }

    /// <summary>
    /// Where the in-process KEDA scaler listens once the platform has started (<c>--scaler-port 0</c> picks a free
    /// port); null when it runs without one.
    /// </summary>
    public static Uri? ScalerAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetService<ScalerService>()?.Address;
    }

    /// <summary>
    /// Resumes what the folders hold before the gateway listens (hosted services start before the server), then runs the
    /// platform's loop for the host's lifetime, and stops every replica on shutdown.
    /// </summary>
    private sealed class PlatformService(LocalPlatform platform) : BackgroundService
    {
        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            await platform.ResumeAsync(cancellationToken);
            await base.StartAsync(cancellationToken);
        }

        protected override Task ExecuteAsync(CancellationToken stoppingToken) => platform.RunAsync(stoppingToken);

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await base.StopAsync(cancellationToken);
            await platform.DisposeAsync();
        }
    }

    /// <summary>The KEDA external scaler in this process; stopped before the gateway so that its streams end with OK.</summary>
    private sealed class ScalerService(ScalerOptions options, InMemoryMetricsStore store) : IHostedService
    {
        private WebApplication? _scaler;

        public Uri? Address { get; private set; }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            _scaler = ScalerHost.Build(options, store);
            await _scaler.StartAsync(cancellationToken);
            Address = ScalerHost.ScalerAddress(_scaler);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_scaler is not null)
            {
                await _scaler.StopAsync(cancellationToken);
                await _scaler.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// <c>GET /status</c>: the KServe-shaped list (<c>?namespace=NS</c> for one namespace, <c>?format=table</c> for a
    /// <c>kubectl get</c>-like table); <c>GET /status/{ns}/{name}</c>: that object (<c>?kind=</c> when a service and a
    /// graph share the name), 404 when there is none.
    /// </summary>
    private sealed class StatusEndpoint(StatusBoard board, TimeProvider time) : IAdminStatus
    {
        public Task WriteAsync(HttpContext context)
        {
            var query = context.Request.Query;
            string? ns = query["namespace"].FirstOrDefault();
            string? kind = query["kind"].FirstOrDefault();
            string[] path = (context.Request.Path.Value ?? "").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (path.Length == 3)
            {
                var found = board.Select(path[1], path[2], kind).OrderBy(r => r.Kind == InferenceService.KindValue ? 0 : 1).FirstOrDefault();
                if (found is null)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return context.Response.WriteAsJsonAsync(new { error = $"no object {path[1]}/{path[2]}" });
                }

                context.Response.ContentType = "application/json";
                return context.Response.WriteAsync(StatusBoard.ToJson(found).ToJsonString(KubeJson.Indented));
            }

            if (path.Length != 1)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return context.Response.WriteAsJsonAsync(new { error = "use /status, /status?namespace=NS or /status/{namespace}/{name}" });
            }

            var resources = board.Select(ns, kind: kind);
            if (query["format"] == "table")
            {
                context.Response.ContentType = "text/plain; charset=utf-8";
                return context.Response.WriteAsync(StatusBoard.ToTable(resources, time.GetUtcNow()));
            }

            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(StatusBoard.ToJson(resources).ToJsonString(KubeJson.Indented));
        }
    }
}
