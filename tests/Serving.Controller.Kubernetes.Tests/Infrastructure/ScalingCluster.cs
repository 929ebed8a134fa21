using Microsoft.Extensions.Logging;
using Serving.Scaler.Tests.Infrastructure;
using Serving.TestCluster.Keda;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// A <see cref="ServingCluster"/> that scales: Redis, a real <c>serving-scaler</c> process reading the gateways' feed
/// from it (the controller writes its address into every ScaledObject), a <see cref="GatewayFeed"/> that publishes what a
/// gateway would, and the KEDA stand-in acting on the ScaledObjects. The stand-in runs with the defaults of KEDA and of
/// kube-controller-manager, except a 2 s HPA sync and a 10 s downscale stabilization (cluster flags, shortened for tests)
/// and a reconcile retry capped at 2 s.
/// </summary>
public sealed class ScalingCluster : ServingCluster
{
    private readonly SharedRedis _redis = new();
    private ScalerProcess? _scaler;
    private GatewayFeed? _feed;
    private KedaStandIn? _keda;
    private ILoggerFactory? _kedaLogs;

    internal ScalerProcess Scaler => _scaler!;

    internal GatewayFeed Feed => _feed!;

    public KedaStandIn Keda => _keda!;

    protected override string ScalerAddress => _scaler!.Address;

    public override async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        string prefix = SharedRedis.NewPrefix();
        _scaler = await ScalerProcess.StartAsync(_redis.Endpoint, prefix);
        _feed = new GatewayFeed(_redis.Endpoint, prefix);
        await base.InitializeAsync();
        _kedaLogs = LoggerFactory.Create(b => b.AddProvider(new FileLogger(Path.Combine(ControlPlane.Directory, "keda-stand-in.log"))).SetMinimumLevel(LogLevel.Information));
        _keda = await KedaStandIn.StartAsync(Client, new KedaStandInOptions
        {
            HpaSyncPeriod = TimeSpan.FromSeconds(2),
            DownscaleStabilization = TimeSpan.FromSeconds(10),
            ReconcileRetryCap = TimeSpan.FromSeconds(2),
        }, _kedaLogs);
    }

    public override async Task DisposeAsync()
    {
        if (_keda is not null)
        {
            await _keda.DisposeAsync();
        }

        _kedaLogs?.Dispose();
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }

        if (_scaler is not null)
        {
            await _scaler.DisposeAsync();
            File.WriteAllText(Path.Combine(ControlPlane.Directory, "scaler.log"), _scaler.Output);
        }

        await base.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ScalingClusterCollection : ICollectionFixture<ScalingCluster>
{
    public const string Name = "scaling-cluster";
}
