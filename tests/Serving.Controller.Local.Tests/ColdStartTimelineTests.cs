using System.Net;
using Serving.Controller.Local.Diagnostics;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>The cold-start timeline the benchmark reads: every step of a start from zero is recorded, in order.</summary>
public sealed class ColdStartTimelineTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_start_from_zero_records_every_step_in_order()
    {
        await using var platform = await TestPlatform.StartAsync(grace: TimeSpan.FromSeconds(1));
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "iris Ready");
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses("iris") == 0), Long, "iris scaled to zero");

        // The first start was the new revision's own (initial scale): no request asked for it.
        var initial = Assert.Single(platform.Starts);
        Assert.Null(initial.At(StartStep.Activated));
        Assert.NotNull(initial.At(StartStep.Routed));

        var (status, _, cold) = await platform.InferAsync("iris");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(cold);
        var start = platform.Starts[^1];
        Assert.NotSame(initial, start);
        Assert.StartsWith("iris-predictor-", start.Replica, StringComparison.Ordinal);
        // The runtime's "loaded" line is written after it turns ready, so it may still be on its way.
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(start.Has(StartStep.ModelLoaded)), Long, "the model's loaded line");
        var steps = Enum.GetValues<StartStep>();
        Assert.All(steps, step => Assert.True(start.At(step) is not null, $"{step} was not recorded"));
        var stamps = steps.Select(step => start.At(step)!.Value).ToList();
        var (loaded, listening) = (start.At(StartStep.ModelLoaded)!.Value, start.At(StartStep.Listening)!.Value);

        // Activated, Spawned, then loading and listening in either order (the runtime does both at once), then the rest.
        Assert.True(stamps[0] <= stamps[1], "activated before spawned");
        Assert.True(stamps[1] <= Math.Min(loaded, listening), "spawned before the model loaded and before listening");
        // Readiness is probed only once the runtime listens; the "loaded" log line can trail the first 200 (the runtime's
        // console logger writes on its own thread), so it is not ordered against Ready.
        Assert.True(listening <= start.At(StartStep.Ready), "ready only after listening");
        Assert.True(start.At(StartStep.Ready) <= start.At(StartStep.Routed), "routed after ready");
        Assert.True(start.At(StartStep.Routed) <= start.At(StartStep.Forwarded), "forwarded after routed");
    }
}
