using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using Serving.Hosting;
using Serving.Runtime.Models;
using Serving.Runtime.Observability;
using Serving.Runtime.Protocol;
using Serving.Runtime.Protocol.V1;
using Serving.Runtime.Protocol.V2;
using Serving.Telemetry.Tracing;

namespace Serving.Runtime.Hosting;

/// <summary>Builds and runs the model server, or the storage initializer; <c>Program.cs</c> only calls <see cref="RunAsync"/>.</summary>
public static class RuntimeHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(RuntimeOptionsParser.Usage);
            return 0;
        }

        if (args is [StorageInitializerCommand.Name, .. var download])
        {
            return await StorageInitializerCommand.RunAsync(download);
        }

        if (StorageInitializerOptions.IsBareForm(args))
        {
            return await StorageInitializerCommand.RunAsync(args);
        }

        WebApplication app;
        try
        {
            var options = RuntimeOptionsParser.Parse(args);
            app = Build(options);
        }
        catch (Exception e) when (e is OptionsException or ModelDiscoveryException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"serving-runtime: {e.Message}");
            if (e is OptionsException)
            {
                await Console.Error.WriteLineAsync(RuntimeOptionsParser.Usage);
            }

            return 2;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>Builds the server for <paramref name="options"/>; throws when the options or the model folder are unusable.</summary>
    public static WebApplication Build(RuntimeOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var locations = ModelDiscovery.Discover(options.ModelDir, options.ModelName, options.ModelVersion);
        var builder = ServerBuilder.Create(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", options.LogLevel);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // RequestBody enforces --max-request-bytes and answers 413 with a JSON error.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Parse(options.Host), options.HttpPort);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RuntimeMetrics>();
        services.AddSingleton(sp => new SessionFactory(
            options.Device, options.IntraOpThreads, options.DeviceId, options.CudnnConvAlgoSearch, sp.GetRequiredService<ILogger<SessionFactory>>()));
        services.AddSingleton(new ModelRegistry(locations));
        services.AddHostedService<ModelLoader>();
        services.AddHostedService<ParentWatch>();
        services.AddHostedService<DrainDelay>();
        services.AddSingleton<RequestRunner>();
        services.AddSingleton<V1Endpoints>();
        services.AddSingleton<V2Endpoints>();
        services.AddServingTracing(options.Tracing, RuntimeTracing.SourceName); // nothing at all when tracing is off
        configure?.Invoke(builder);

        var app = builder.Build();
        var registry = app.Services.GetRequiredService<ModelRegistry>();
        // Readiness turns false as soon as shutdown starts (DrainDelay then keeps serving a moment); in-flight requests still finish.
        app.Lifetime.ApplicationStopping.Register(registry.StartDraining);
        // Decide the device at start so that "--device cuda" without CUDA fails fast.
        _ = app.Services.GetRequiredService<SessionFactory>();

        V1Endpoints.Map(app);
        V2Endpoints.Map(app);
        app.MapMetrics("/metrics", app.Services.GetRequiredService<RuntimeMetrics>().Registry);
        app.MapFallback(context => ErrorStatus.WriteAsync(
            context.Response, StatusCodes.Status404NotFound, $"no route for {context.Request.Method} {context.Request.Path}"));
        return app;
    }

    /// <summary>The address a started server listens on (useful with port 0).</summary>
    public static Uri Address(this WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        return new Uri(addresses.Addresses.First());
    }
}
