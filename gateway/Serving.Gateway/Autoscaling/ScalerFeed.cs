using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Activation;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Revisions;
using Serving.Scaler.Feed;

namespace Serving.Gateway.Autoscaling;

/// <summary>
/// Wires the gateway to the scaler's feed: Redis when <see cref="GatewayOptions.Redis"/> is set, or an
/// <see cref="IMetricsWriter"/> the hosting process registered (the one-machine platform's in-memory store). With
/// neither, nothing is published.
/// </summary>
public static class ScalerFeed
{
    public static IServiceCollection AddScalerFeed(this IServiceCollection services, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Redis is { } redis)
        {
            services.TryAddSingleton<IMetricsWriter>(sp => RedisMetricsStore.Connect(
                new RedisFeedOptions { Endpoint = redis, Prefix = options.RedisPrefix, ClientName = "serving-gateway" },
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<RedisMetricsStore>()));
        }

        if (!services.Any(d => d.ServiceType == typeof(IMetricsWriter)))
        {
            return services;
        }

        services.AddSingleton<FeedActivationSignal>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedActivationSignal>());
        // A host that listens to activation itself (the local platform) keeps listening; the feed is told too.
        if (services.LastOrDefault(d => d.ServiceType == typeof(IActivationSignal)) is { } own)
        {
            services.Remove(own);
            services.AddSingleton<IActivationSignal>(sp => new CompositeActivationSignal([Resolve(sp, own), sp.GetRequiredService<FeedActivationSignal>()]));
        }
        else
        {
            services.AddSingleton<IActivationSignal>(sp => sp.GetRequiredService<FeedActivationSignal>());
        }

        services.AddHostedService<MetricsPublisher>();
        return services;
    }

    private static IActivationSignal Resolve(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IActivationSignal)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    internal static RevisionId ToRevisionId(this RevisionKey key) =>
        new(key.Namespace, key.Service, ComponentNames.Of(key.Component), key.Revision);
}
