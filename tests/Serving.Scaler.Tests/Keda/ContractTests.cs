using Externalscaler;
using Grpc.Core;
using Grpc.Health.V1;
using Serving.Scaler.Feed;
using Serving.Scaler.Tests.Infrastructure;

namespace Serving.Scaler.Tests.Keda;

/// <summary>Every RPC of KEDA's contract through a real gRPC client, fed by the in-memory store.</summary>
public sealed class ContractTests : IAsyncLifetime
{
    private static readonly RevisionId Rev1 = new("default", "iris", "predictor", "iris-predictor-00001");
    private static readonly RevisionId Rev2 = new("default", "iris", "predictor", "iris-predictor-00002");
    private readonly InMemoryMetricsStore _store = new();
    private TestScaler _scaler = null!;

    public async Task InitializeAsync()
    {
        await Publish(("a", Rev1, 0, 0), ("a", Rev2, 0, 0));
        _scaler = await TestScaler.StartAsync(feed: _store);
    }

    public async Task DisposeAsync() => await _scaler.DisposeAsync();

    [Fact]
    public async Task GetMetricSpecReturnsTheSanitizedMetricAndScaleTarget()
    {
        var spec = (await _scaler.Client.GetMetricSpecAsync(TestScaler.Ref("iris", Rev1.Revision, ("scaleTarget", "5")))).MetricSpecs.Single();
        Assert.Equal("iris-predictor-00001-concurrency", spec.MetricName);
        Assert.Equal(5, spec.TargetSizeFloat);
        Assert.Equal(5, spec.TargetSize);

        var rps = (await _scaler.Client.GetMetricSpecAsync(TestScaler.Ref("iris", null, ("metric", "rps"), ("targetValue", "2.5")))).MetricSpecs.Single();
        Assert.Equal("iris-predictor-rps", rps.MetricName);
        Assert.Equal(2.5, rps.TargetSizeFloat);

        // No scaleTarget: Knative's default target for the metric, never 0.
        var fallback = (await _scaler.Client.GetMetricSpecAsync(TestScaler.Ref("iris"))).MetricSpecs.Single();
        Assert.Equal(100, fallback.TargetSizeFloat);
    }

    [Fact]
    public async Task GetMetricsReturnsExactlyTheRequestedMetricSummedOverReplicas()
    {
        await Publish(("a", Rev1, 2, 10), ("b", Rev1, 3, 4), ("b", Rev2, 1, 1));
        var reference = TestScaler.Ref("iris", Rev1.Revision, ("autoscaling.knative.dev/window", "6s"));
        await Eventually.HoldsAsync(() => _scaler.Table.Find(Rev1)?.Concurrency == 5, "both replicas are summed");

        // A window named for the first time fills from the next tick on: a window average of samples that are all 5.
        var request = new GetMetricsRequest { ScaledObjectRef = reference, MetricName = "iris-predictor-00001-concurrency" };
        MetricValue? value = null;
        await Eventually.HoldsAsync(async () => (value = Assert.Single((await _scaler.Client.GetMetricsAsync(request)).MetricValues)).MetricValueFloat > 0, "the 6s window has samples");
        Assert.Equal("iris-predictor-00001-concurrency", value!.MetricName);
        Assert.Equal(5, value.MetricValueFloat, 9);
        Assert.Equal(5, value.MetricValue_);

        var wrong = await Assert.ThrowsAsync<RpcException>(() => _scaler.Client.GetMetricsAsync(
            new GetMetricsRequest { ScaledObjectRef = reference, MetricName = "iris-predictor-00001-rps" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, wrong.StatusCode);
        Assert.Contains("its metric is 'iris-predictor-00001-concurrency'", wrong.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("component", "router", StatusCode.InvalidArgument, "'component' is 'router'")]
    [InlineData("inferenceService", "", StatusCode.InvalidArgument, "'inferenceService' is missing")]
    [InlineData("inferenceService", "nope", StatusCode.NotFound, "no gateway reports default/nope/predictor")]
    [InlineData("revision", "iris-predictor-00009", StatusCode.NotFound, "'revision': no gateway reports revision 'iris-predictor-00009'")]
    [InlineData("metric", "cpu", StatusCode.InvalidArgument, "'metric' is 'cpu'")]
    [InlineData("targetValue", "0", StatusCode.InvalidArgument, "'targetValue' is '0'")]
    [InlineData("scaleTarget", "ten", StatusCode.InvalidArgument, "'scaleTarget' is 'ten'")]
    [InlineData("autoscaling.knative.dev/window", "2s", StatusCode.InvalidArgument, "autoscaling.knative.dev/window: \"2s\"")]
    public async Task BadMetadataIsAnErrorNamingTheKey(string key, string value, StatusCode status, string message)
    {
        var reference = TestScaler.Ref("iris", null, (key, value));
        foreach (var call in new Func<Task>[]
        {
            () => _scaler.Client.IsActiveAsync(reference).ResponseAsync,
            () => _scaler.Client.GetMetricSpecAsync(reference).ResponseAsync,
            () => _scaler.Client.GetMetricsAsync(new GetMetricsRequest { ScaledObjectRef = reference }).ResponseAsync,
        })
        {
            var e = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(status, e.StatusCode);
            Assert.Contains(message, e.Status.Detail, StringComparison.Ordinal);
        }

        using var stream = _scaler.Client.StreamIsActive(reference);
        var streamError = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext());
        Assert.Equal(status, streamError.StatusCode);
    }

    [Fact]
    public async Task IsActiveIsALatchOverArrivals()
    {
        var reference = TestScaler.Ref("iris", Rev2.Revision);
        Assert.False((await _scaler.Client.IsActiveAsync(reference)).Result);

        // One short request between two reports: concurrency is 0 in both, but the arrival keeps it active.
        await Publish(("a", Rev1, 0, 0), ("a", Rev2, 0, 1));
        await Eventually.HoldsAsync(async () => (await _scaler.Client.IsActiveAsync(reference)).Result, "the arrival latches IsActive");
        await Task.Delay(300);
        Assert.True((await _scaler.Client.IsActiveAsync(reference)).Result);
    }

    [Fact]
    public async Task StreamsSendTheCurrentStateThenCompleteWithOkOnShutdown()
    {
        using var active = _scaler.Client.StreamIsActive(TestScaler.Ref("iris"));
        Assert.True(await active.ResponseStream.MoveNext());
        Assert.False(active.ResponseStream.Current.Result);

        using var spec = _scaler.Client.StreamMetricSpec(TestScaler.Ref("iris", null, ("scaleTarget", "3")));
        Assert.True(await spec.ResponseStream.MoveNext());
        Assert.Equal(3, spec.ResponseStream.Current.MetricSpecs.Single().TargetSizeFloat);

        await _scaler.StopAsync();
        Assert.False(await active.ResponseStream.MoveNext()); // EOF: status OK, KEDA reconnects in 2 s
        Assert.Equal(StatusCode.OK, active.GetStatus().StatusCode);
        Assert.False(await spec.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, spec.GetStatus().StatusCode);
    }

    [Fact]
    public async Task HealthServiceServes()
    {
        var health = new Health.HealthClient(_scaler.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    private async Task Publish(params (string Replica, RevisionId Revision, int Concurrency, long Arrivals)[] loads)
    {
        foreach (var replica in loads.GroupBy(l => l.Replica))
        {
            await _store.PublishAsync(
                new ReplicaReport(replica.Key, DateTimeOffset.UtcNow, [.. replica.Select(l => new RevisionLoad(l.Revision, l.Concurrency, l.Arrivals))]),
                TimeSpan.FromSeconds(30),
                CancellationToken.None);
        }
    }
}
