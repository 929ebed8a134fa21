using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;
using Serving.Gateway.Activation;
using Serving.Gateway.Admin;
using Serving.Gateway.Auth;
using Serving.Gateway.Auth.ApiKeys;
using Serving.Gateway.Auth.Jwt;
using Serving.Gateway.Autoscaling;
using Serving.Gateway.Graph;
using Serving.Gateway.Observability;
using Serving.Gateway.Proxy;
using Serving.Gateway.Proxy.Http1;
using Serving.Gateway.Routing;
using Serving.Gateway.Sources;
using Serving.Gateway.Sources.Kubernetes;
using Serving.Hosting;
using Serving.Kubernetes.Client;
using Serving.Telemetry.Tracing;

namespace Serving.Gateway.Hosting;

/// <summary>Builds and runs the gateway; <c>Program.cs</c> only calls <see cref="RunAsync"/>.</summary>
public static class GatewayHost
{
    private const string AdminConnection = "serving.admin";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(GatewayOptionsParser.Usage);
            return 0;
        }

        WebApplication app;
        try
        {
            var options = GatewayOptionsParser.Parse(args);
            IoScheduling.ApplyToProcess(options); // before the first socket exists
            app = Build(options);
        }
        catch (Exception e) when (e is GatewayOptionsException or IOException or System.Text.Json.JsonException or ArgumentException or k8s.Exceptions.KubeConfigException)
        {
            await Console.Error.WriteLineAsync($"serving-gateway: {e.Message}");
            if (e is GatewayOptionsException)
            {
                await Console.Error.WriteLineAsync(GatewayOptionsParser.Usage);
            }

            return 2;
        }

        await app.RunAsync();
        return Environment.ExitCode; // 1 when a route source could not go on (KubernetesRouteSource)
    }

    /// <summary>
    /// Builds the gateway. Services registered by <paramref name="configure"/> win over the defaults
    /// (an <see cref="IActivationSignal"/>, a <see cref="TimeProvider"/>, an <see cref="ITrafficDraw"/>, the scaler feed's
    /// <see cref="Serving.Scaler.Feed.IMetricsWriter"/>, an <see cref="IRouteSource"/>: the routes file's otherwise; an
    /// <see cref="IApiKeyStore"/>: the <c>--api-keys</c> file's otherwise). Throws <see cref="GatewayOptionsException"/>
    /// when the API keys file cannot be loaded.
    /// </summary>
    public static WebApplication Build(GatewayOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = ServerBuilder.Create(options.LogLevel);
        builder.Logging.AddFilter("Yarp", LogLevel.Warning);
        if (!options.LogPayloads)
        {
            // YARP's forwarder logs its client's exceptions, which quote a replica's bad bytes; ProxyHandler logs each failure.
            builder.Logging.AddFilter("Yarp.ReverseProxy.Forwarder", LogLevel.None);
        }

        // Hosting starts an Activity for every request while this category is enabled at any level (for log scopes);
        // it logs nothing the gateway keeps (request start/finish at Information), so it is off.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        IoScheduling.ApplyToKestrel(builder.WebHost, options.Io);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes; // chunked bodies too: 413 at the limit
            // Header values are bytes to a proxy: Latin-1 maps each byte to one char and back, so values beyond ASCII
            // reach replicas and clients as they were sent, on both forwarding paths.
            kestrel.RequestHeaderEncodingSelector = static _ => Encoding.Latin1;
            kestrel.ResponseHeaderEncodingSelector = static _ => Encoding.Latin1;
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port);
            kestrel.Listen(IPAddress.Parse(options.AdminAddress), options.AdminPort, listen => listen.Use(next => connection =>
            {
                connection.Items[AdminConnection] = true;
                return next(connection);
            }));
        });

        var services = builder.Services;
        services.AddHttpForwarder();
        services.AddSingleton(options);
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton(_ => new BackendClient(options.BackendTimeout, options.MaxConnectionsPerReplica));
        services.AddSingleton(new ForwardedHeaders(options.TrustedProxies));
        services.AddSingleton(sp => new Http1Forwarder(
            options.BackendTimeout, options.MaxConnectionsPerReplica, sp.GetRequiredService<ForwardedHeaders>(), sp.GetRequiredService<TimeProvider>()));
        configure?.Invoke(builder);
        services.AddServingTracing(options.Tracing, GatewayTracing.SourceName); // nothing at all when tracing is off
        if (options.Cluster is { } cluster)
        {
            AddCluster(services, cluster, options.Domain, options.Auth.ApiKeysSecret);
        }

        AddAuth(services, options.Auth);
        services.AddScalerFeed(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IActivationSignal, NoActivationSignal>();
        services.TryAddSingleton<ITrafficDraw, RandomTrafficDraw>();
        services.AddSingleton(sp => new ServiceCatalog(
            options.Domain, options.Activator, sp.GetRequiredService<IActivationSignal>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GatewayMetrics>()));
        services.TryAddKeyedSingleton<ITrafficDraw>(GraphExecutor.SplitterDrawKey, (_, _) => new RandomTrafficDraw());
        services.AddSingleton(sp => new GraphCatalog(sp.GetRequiredService<ServiceCatalog>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new HeaderPropagation(options.GraphPropagateHeaders)); // a bad pattern fails the start
        services.AddSingleton<StepCaller>();
        services.AddSingleton<GraphExecutor>();
        services.AddSingleton<GraphHandler>();
        services.AddSingleton<ProxyHandler>();
        if (options.RoutesFile is { } routes)
        {
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<RoutesFileSource>(sp, routes));
            services.TryAddSingleton<IRouteSource>(sp => sp.GetRequiredService<RoutesFileSource>());
            services.AddHostedService(sp => sp.GetRequiredService<RoutesFileSource>());
        }

        services.AddSingleton<RouteSourceApplier>();

        var app = builder.Build();
        if (app.Services.GetService<ApiKeysFile>() is { } keys && !keys.TryLoad(out string? error))
        {
            ((IDisposable)app).Dispose();
            throw new GatewayOptionsException($"--api-keys: {error}"); // a gateway never starts with keys it cannot read
        }

        app.Services.GetService<RoutesFileSource>()?.Load();
        if (app.Services.GetService<IRouteSource>() is not null)
        {
            app.Services.GetRequiredService<RouteSourceApplier>(); // applies the source's routes now and on every change
        }

        var catalog = app.Services.GetRequiredService<ServiceCatalog>();
        var registry = app.Services.GetRequiredService<GatewayMetrics>().Registry;
        var proxy = app.Services.GetRequiredService<ProxyHandler>();
        var readiness = app.Services.GetServices<ReadinessInput>().ToList();
        app.MapWhen(IsAdmin, admin =>
        {
            admin.UseRouting();
            admin.UseEndpoints(endpoints =>
            {
                endpoints.MapGet("/healthz", AdminEndpoints.Healthz);
                endpoints.MapGet("/readyz", context => AdminEndpoints.Readyz(context, readiness));
                endpoints.MapGet("/routes", context => AdminEndpoints.Status(context, catalog));
                endpoints.MapGet("/status/{**rest}", context => app.Services.GetService<IAdminStatus>() is { } status
                    ? status.WriteAsync(context)
                    : AdminEndpoints.Status(context, catalog));
                endpoints.MapMetrics("/metrics", registry);
            });
        });
        app.Run(proxy.InvokeAsync);
        return app;
    }

    /// <summary>
    /// Cluster mode: routes from the API server (<see cref="KubernetesRouteSource"/>), and API keys from a Secret when
    /// <paramref name="apiKeys"/> names one (<see cref="ApiKeysSecret"/>, registered before <see cref="AddAuth"/> so that it wins). Throws
    /// <see cref="k8s.Exceptions.KubeConfigException"/> when the kubeconfig cannot be read or, for the in-cluster config,
    /// the gateway does not run in a pod.
    /// </summary>
    private static void AddCluster(IServiceCollection services, ClusterOptions cluster, string domain, SecretName? apiKeys)
    {
        var configuration = cluster.Kubeconfig is { } path ? KubeConfig.Load(path) : KubeConfig.InCluster();
        services.AddSingleton(_ => new k8s.Kubernetes(configuration));
        if (apiKeys is not null)
        {
            services.AddSingleton(sp => new ApiKeysSecret(
                new KubeApi(sp.GetRequiredService<k8s.Kubernetes>(), "serving-gateway"), apiKeys.Namespace ?? KubeConfig.PodNamespace() ?? "default",
                apiKeys.Name, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
            services.TryAddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<ApiKeysSecret>());
            services.AddHostedService(sp => sp.GetRequiredService<ApiKeysSecret>());
            services.AddSingleton(sp => sp.GetRequiredService<ApiKeysSecret>().Readiness);
        }

        services.AddSingleton(sp => new KubernetesRouteSource(
            new KubeApi(sp.GetRequiredService<k8s.Kubernetes>(), "serving-gateway"), cluster.Namespace, domain, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>()));
        services.TryAddSingleton<IRouteSource>(sp => sp.GetRequiredService<KubernetesRouteSource>());
        services.AddHostedService(sp => sp.GetRequiredService<KubernetesRouteSource>());
        services.AddSingleton(sp => new ReadinessInput("routes not synced yet", sp.GetRequiredService<KubernetesRouteSource>().Synced));
    }

    /// <summary>The auth gate and its key sources; a key store registered before (a cluster's Secret, a test's) wins over the file.</summary>
    private static void AddAuth(IServiceCollection services, AuthOptions auth)
    {
        services.AddSingleton(auth);
        services.AddSingleton<JwksCache>();
        services.AddSingleton<JwtValidator>();
        services.AddSingleton<AuthGate>();
        if (auth.ApiKeysFile is { } file)
        {
            services.AddSingleton(sp => ActivatorUtilities.CreateInstance<ApiKeysFile>(sp, file));
            services.TryAddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<ApiKeysFile>());
            services.AddHostedService(sp => sp.GetRequiredService<ApiKeysFile>());
        }

        services.TryAddSingleton<IApiKeyStore, NoApiKeys>();
    }

    /// <summary>The addresses a started gateway listens on: inference first, then admin.</summary>
    public static (Uri Inference, Uri Admin) Addresses(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        return (addresses[0], addresses[1]);
    }

    private static bool IsAdmin(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(AdminConnection) == true;
}
