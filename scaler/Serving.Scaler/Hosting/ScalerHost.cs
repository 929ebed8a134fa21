using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Serving.Hosting;
using Serving.Scaler.Activity;
using Serving.Scaler.Aggregation;
using Serving.Scaler.Feed;
using Serving.Scaler.Keda;

namespace Serving.Scaler.Hosting;

/// <summary>
/// Builds and runs the scaler: <c>serving-scaler</c> calls <see cref="RunAsync"/>; a process that also hosts gateways
/// (the one-machine platform) calls <see cref="Build"/> with the same <see cref="InMemoryMetricsStore"/> it gave them.
/// </summary>
public static partial class ScalerHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(ScalerOptionsParser.Usage);
            return 0;
        }

        WebApplication app;
        try
        {
            app = Build(ScalerOptionsParser.Parse(args));
        }
        catch (Exception e) when (e is ScalerOptionsException or IOException or ArgumentException or CryptographicException)
        {
            await Console.Error.WriteLineAsync($"serving-scaler: {e.Message}");
            if (e is ScalerOptionsException)
            {
                await Console.Error.WriteLineAsync(ScalerOptionsParser.Usage);
            }

            return 2;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// Builds the scaler's host. <paramref name="feed"/> is where gateway reports come from; when null, Redis at
    /// <see cref="ScalerOptions.Redis"/> (required then).
    /// </summary>
    /// <exception cref="ScalerOptionsException">Neither a feed nor <c>--redis</c> was given.</exception>
    public static WebApplication Build(ScalerOptions options, IMetricsReader? feed = null, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = ServerBuilder.Create(options.LogLevel);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        // An unhealthy check is logged as an error on every run (each second, below); the aggregator logs the outage once.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        var tls = TlsFiles.Load(options);
        builder.WebHost.ConfigureKestrel(kestrel => Listen(kestrel, options, tls));

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        if (feed is not null)
        {
            services.AddSingleton(feed);
        }
        else
        {
            string redis = options.Redis ?? throw new ScalerOptionsException("--redis is required: the gateways publish their metrics there");
            services.AddSingleton<IMetricsReader>(sp => RedisMetricsStore.Connect(
                new RedisFeedOptions { Endpoint = redis, Prefix = options.RedisPrefix, ClientName = "serving-scaler" },
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisMetricsStore>()));
        }

        services.AddSingleton<RevisionTable>();
        services.AddSingleton(sp => new TargetQueries(sp.GetRequiredService<RevisionTable>(), sp.GetRequiredService<TimeProvider>(), options.MaxStaleness));
        services.AddSingleton(sp => new ActivityHub(sp.GetRequiredService<TargetQueries>(), options.Heartbeat));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<MetricsAggregator>(sp, options.ReadInterval));
        services.AddHostedService(sp => sp.GetRequiredService<MetricsAggregator>());
        services.AddGrpc();
        services.AddGrpcHealthChecks()
            .AddCheck<FeedHealthCheck>("metrics-feed");
        // Check runs the check on each call; Watch streams follow the publisher, whose default (every 30 s, first
        // after 5 s) would tell a watcher about stale metrics half a minute late. The check reads memory only.
        services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.Zero;
            o.Period = TimeSpan.FromSeconds(1);
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapGrpcService<ExternalScalerService>();
        app.MapGrpcHealthChecksService();
        return app;
    }

    /// <summary>The address a started scaler listens on (<c>http://127.0.0.1:port</c>, or https).</summary>
    public static Uri ScalerAddress(this WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static void Listen(KestrelServerOptions kestrel, ScalerOptions options, TlsFiles? tls)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;
        kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30); // KEDA sets no keepalive of its own
        kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
        kestrel.Listen(IPAddress.Parse(options.Address), options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (tls is not null)
            {
                listen.UseHttps(tls.Apply);
            }
        });
    }
}
