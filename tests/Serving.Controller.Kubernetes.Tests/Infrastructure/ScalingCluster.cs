using System.Globalization;
using Externalscaler;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Serving.Scaler.Feed;
using Serving.Scaler.Tests.Infrastructure;
using Serving.TestCluster.Keda;

namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>
/// A <see cref="ServingCluster"/> that scales: Redis, a real <c>serving-scaler</c> process reading the gateways' feed
/// from it (the controller writes its address into every ScaledObject), a <see cref="GatewayFeed"/> that publishes what a
/// gateway would, and the KEDA stand-in acting on the ScaledObjects. The stand-in runs with the defaults of KEDA and of
/// kube-controller-manager, except a 2 s HPA sync and a 10 s downscale stabilization (cluster flags, shortened for tests)
/// and a reconcile retry capped at 2 s. Real gateways (<see cref="StartGatewaysAsync"/>) publish into the same feed.
/// </summary>
public class ScalingCluster : ServingCluster
{
    /// <summary>How long a scaling step may take on a busy two-core machine.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(240);

    private readonly SharedRedis _redis = new();
    private string _prefix = "";
    private ScalerProcess? _scaler;
    private RedisMetricsStore? _reader;
    private GatewayFeed? _feed;
    private KedaStandIn? _keda;
    private ILoggerFactory? _kedaLogs;

    internal ScalerProcess Scaler => _scaler!;

    internal GatewayFeed Feed => _feed!;

    public KedaStandIn Keda => _keda!;

    protected override string ScalerAddress => _scaler!.Address;

    /// <summary>More options for the scaler process.</summary>
    protected virtual IReadOnlyList<string> ScalerArguments => [];

    public override async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _prefix = SharedRedis.NewPrefix();
        _scaler = await ScalerProcess.StartAsync(_redis.Endpoint, _prefix, ScalerArguments);
        _feed = new GatewayFeed(_redis.Endpoint, _prefix);
        _reader = RedisMetricsStore.Connect(new RedisFeedOptions { Endpoint = _redis.Endpoint, Prefix = _prefix, ClientName = "test-reader" });
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

        if (_reader is not null)
        {
            await _reader.DisposeAsync();
        }

        if (_scaler is not null)
        {
            await _scaler.DisposeAsync();
            File.WriteAllText(Path.Combine(ControlPlane.Directory, "scaler.log"), _scaler.Output);
        }

        await base.DisposeAsync();
        await _redis.DisposeAsync();
    }

    /// <summary>Applies the manifest in a new namespace and waits until <paramref name="service"/> is Ready; its first revision as gateways name it.</summary>
    /// <param name="before">Objects applied in the namespace first (what the InferenceService's ScaledObject refers to).</param>
    public async Task<(string Namespace, RevisionId Revision)> ReadyAsync(string prefix, string manifest, string service = "iris", string? before = null)
    {
        string ns = await NamespaceAsync(prefix);
        await ProvideIrisClaimAsync(ns);
        if (before is not null)
        {
            await ApplyAsync(ns, before);
        }

        await ApplyAsync(ns, manifest);
        await WaitForServiceAsync(ns, service, s => Condition(s, "Ready") == "True", $"{service} is Ready", Long);
        return (ns, FirstRevision(ns, service));
    }

    public static RevisionId FirstRevision(string ns, string service) => new(ns, service, "predictor", $"{service}-predictor-00001");

    /// <summary>
    /// Real <c>serving-gateway</c> processes routing <paramref name="ns"/> (its RoleBinding to the documented ClusterRole),
    /// each a replica of its own publishing its load to the scaler's feed: the chain from a request to KEDA.
    /// </summary>
    internal async Task<GatewayProcess[]> StartGatewaysAsync(string ns, int count = 1)
    {
        string kubeconfig = await GatewayAccess.KubeconfigAsync(this, ns, namespaced: true);
        var gateways = new List<GatewayProcess>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                gateways.Add(await GatewayProcess.StartAsync(
                    kubeconfig, Path.Combine(ControlPlane.Directory, $"gateway-{ns}-{i}.log"),
                    "--namespace", ns, "--redis", _redis.Endpoint, "--redis-prefix", _prefix, "--log-level", "Debug"));
            }

            return [.. gateways];
        }
        catch
        {
            foreach (var gateway in gateways)
            {
                await gateway.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>The concurrency each gateway replica's unexpired report gives the revision: what the scaler sums every tick.</summary>
    internal async Task<IReadOnlyList<int>> ReportedAsync(RevisionId revision) =>
    [
        .. (await _reader!.ReadAsync(CancellationToken.None)).SelectMany(r => r.Revisions.Where(l => l.Revision == revision).Select(l => l.Concurrency)),
    ];

    /// <summary>What KEDA's HPA gets from the scaler for the revision's ScaledObject: <c>GetMetrics</c> with the trigger's metadata as written.</summary>
    internal async Task<double> MetricAsync(string ns, string revision)
    {
        var trigger = (await GetAsync(ns, "scaledobject", revision))!["spec"]!["triggers"]![0]!;
        var reference = new ScaledObjectRef { Name = revision, Namespace = ns };
        foreach (var (key, value) in trigger["metadata"]!.AsObject())
        {
            reference.ScalerMetadata.Add(key, value!.GetValue<string>());
        }

        using var channel = GrpcChannel.ForAddress($"http://{Scaler.Address}");
        var answer = await new ExternalScaler.ExternalScalerClient(channel).GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = reference });
        return answer.MetricValues.Single().MetricValueFloat;
    }

    /// <summary>
    /// A rolling update of the scaler (SIGTERM ends every stream with OK; KEDA reconnects after 2 s and backs off while
    /// nothing answers): waits for the stand-in's stream of <paramref name="scaledObject"/> (<c>ns/name</c>) to be open
    /// first, and for it to be open again on the new scaler.
    /// </summary>
    public async Task RestartScalerAsync(string scaledObject)
    {
        await Eventually.HoldsAsync(() => Keda.StreamsOpened(scaledObject) > 0, "the stand-in's stream is open", Long);
        int opened = Keda.StreamsOpened(scaledObject);
        await Scaler.StopAsync();
        await Scaler.StartAgainAsync();
        await Eventually.HoldsAsync(() => Keda.StreamsOpened(scaledObject) > opened, "the stand-in reopens its stream on the new scaler", Long);
    }

    /// <summary>Every write of the KEDA stand-in to the revision's /scale.</summary>
    public IReadOnlyList<ScaleRecord> Series(string ns, string revision) =>
        [.. Keda.History.Where(h => h.ScaledObject == $"{ns}/{revision}")];

    /// <summary>Polls the Deployment's replicas (spec, ready) and its pods until <paramref name="done"/>; the failure shows the stand-in's writes.</summary>
    public async Task<(int Spec, int Ready, int Pods)> ReplicasAsync(string ns, string deployment, Func<(int Spec, int Ready, int Pods), bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Long);
        (int Spec, int Ready, int Pods) last = default;
        while (DateTime.UtcNow < deadline)
        {
            var value = await GetAsync(ns, "deployment", deployment);
            int pods = (await ListAsync(ns, "pods", $"serving.kserve.io/revision={deployment}")).Count;
            last = (value?["spec"]?["replicas"]?.GetValue<int>() ?? -1, value?["status"]?["readyReplicas"]?.GetValue<int>() ?? 0, pods);
            if (done(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{what}: not within {(timeout ?? Long).TotalSeconds} s; replicas {last}; stand-in: {string.Join("; ", Series(ns, deployment))}"));
        return last;
    }
}

[CollectionDefinition(Name)]
public sealed class ScalingClusterCollection : ICollectionFixture<ScalingCluster>
{
    public const string Name = "scaling-cluster";
}
