using System.Net;
using Externalscaler;
using Grpc.Core;
using Grpc.Net.Client;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>
/// The platform's in-process KEDA external scaler, watched by a KEDA-side gRPC client while a serverless revision
/// scales from zero through real runtime processes: the gateway's feed and the local autoscaler share the activation.
/// </summary>
public sealed class KedaScalerTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_request_at_zero_is_pushed_on_StreamIsActive_and_GetMetrics_answers_for_the_revision()
    {
        await using var platform = await TestPlatform.StartAsync(grace: TimeSpan.FromSeconds(1), scaler: true);
        Assert.NotNull(platform.Scaler);
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "iris Ready");
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 0), Long, "iris scaled to zero");
        string revision = (await platform.StatusAsync("iris"))?["components"]?["predictor"]?["latestReadyRevision"]?.GetValue<string>()
            ?? throw new InvalidOperationException("iris has no latestReadyRevision in its status");

        using var channel = GrpcChannel.ForAddress(platform.Scaler);
        var keda = new ExternalScaler.ExternalScalerClient(channel);
        var reference = Ref(revision);
        var spec = Assert.Single((await keda.GetMetricSpecAsync(reference)).MetricSpecs);
        Assert.Equal($"{revision}-concurrency", spec.MetricName);
        Assert.Equal(100, spec.TargetSizeFloat); // Knative's default concurrency target: no scaleTarget in the metadata
        var metrics = new GetMetricsRequest { ScaledObjectRef = reference, MetricName = spec.MetricName };
        Assert.Equal(0, Assert.Single((await keda.GetMetricsAsync(metrics)).MetricValues).MetricValueFloat);

        using var stream = keda.StreamIsActive(reference);
        Assert.True(await stream.ResponseStream.MoveNext());
        Assert.False(stream.ResponseStream.Current.Result); // at zero and idle: the current state on open

        // The request is held by the activator; the scaler pushes true while the local autoscaler starts a replica.
        var cold = platform.InferAsync("iris");
        using (var limit = new CancellationTokenSource(Long))
        {
            Assert.True(await stream.ResponseStream.MoveNext(limit.Token));
        }

        // (Whether the request is still waiting when the test reads the push depends on the test's thread, not the
        // platform: the cold start below shows the request was held.)
        Assert.True(stream.ResponseStream.Current.Result);
        var (status, version, coldStart) = await cold;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", version);
        Assert.True(coldStart);
        Assert.True((await keda.IsActiveAsync(reference)).Result);

        // GetMetrics answers exactly the requested name, with the request's share of the 6 s window.
        MetricValue? value = null;
        await TestPlatform.WaitUntilAsync(
            async () => (value = Assert.Single((await keda.GetMetricsAsync(metrics)).MetricValues)).MetricValueFloat > 0,
            TimeSpan.FromSeconds(10),
            "the request counted in GetMetrics");
        Assert.Equal(spec.MetricName, value!.MetricName);
        Assert.InRange(value.MetricValueFloat, 1e-6, 1);
    }

    /// <summary>The trigger the controller would write for this revision (scaleMetric and window copied from the service).</summary>
    private static ScaledObjectRef Ref(string revision) => new()
    {
        Name = revision,
        Namespace = "default",
        ScalerMetadata =
        {
            ["inferenceService"] = "iris",
            ["component"] = "predictor",
            ["revision"] = revision,
            ["autoscaling.knative.dev/window"] = "6s",
        },
    };
}
