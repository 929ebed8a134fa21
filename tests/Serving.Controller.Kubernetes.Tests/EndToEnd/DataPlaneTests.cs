using System.Diagnostics;
using System.Globalization;
using System.Net;
using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Serving.Scaler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// The data plane on the cluster end to end (issue 13 items 2 and 4): real <c>serving-gateway</c> processes publish their
/// load through Redis to the real scaler, the KEDA stand-in acts on the controller's ScaledObjects through /scale, the node
/// agent runs the runtime. Requests at zero, and drills under load: a gateway replica killed, the controller replaced,
/// the scaler restarted. (A pod deleted under load: <see cref="GatewayTests"/>, whose drill this setup would repeat.)
/// </summary>
[Collection(ScalingClusterCollection.Name)]
public sealed class DataPlaneTests(ScalingCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_request_at_zero_is_held_until_its_feed_has_KEDA_start_a_replica_and_1000_at_once_at_zero_are_all_answered()
    {
        var (ns, iris) = await cluster.ReadyAsync("dp-zero", Manifests.Iris("iris", "Serverless", minReplicas: 0) + "\n---\n"
            + Manifests.Iris("burst", "Serverless", minReplicas: 0, extra: "    maxReplicas: 1")); // one replica: bounded on two cores
        await cluster.WaitForServiceAsync(ns, "burst", s => ServingCluster.Condition(s, "Ready") == "True", "burst is Ready", ScalingCluster.Long);
        var burst = ScalingCluster.FirstRevision(ns, "burst");
        await using var gateway = (await cluster.StartGatewaysAsync(ns)).Single();

        // Routed and idle, never active since they were created: KEDA takes both to zero at its first poll.
        await cluster.ReplicasAsync(ns, iris.Revision, r => r.Spec == 0 && r.Pods == 0, "iris idle, at zero");
        await cluster.ReplicasAsync(ns, burst.Revision, r => r.Spec == 0 && r.Pods == 0, "burst idle, at zero");

        // Held by the activator; its event and the held count reach the scaler through Redis; the push has KEDA scale 0 -> 1.
        var clock = Stopwatch.StartNew();
        var answer = await gateway.PostAsync($"iris.{ns}.example.com");
        output.WriteLine($"one request at zero: {(int)answer.Status} after {clock.ElapsedMilliseconds} ms");
        Assert.Equal((HttpStatusCode.OK, IrisRequest.Prediction), answer);
        var series = cluster.Series(ns, iris.Revision);
        output.WriteLine(string.Join("\n", series));
        Assert.Equal([0, 1], series.Select(s => s.To));
        Assert.Equal("keda", series[1].By);

        // 1,000 at once (the activator's default queue per revision), on a revision at zero: none lost.
        var answers = await GatewayBurst.SendAsync(gateway.Inference, $"burst.{ns}.example.com", "/v1/models/burst:predict", 1000, TimeSpan.FromSeconds(120));
        var failed = answers.Where(a => !a.Predicted).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"1000 at zero: {answers.Count - failed.Count} answered with the prediction, {failed.Count} not; first answer after {answers.Min(a => a.After).TotalSeconds:F2} s, last after {answers.Max(a => a.After).TotalSeconds:F2} s"));
        Assert.True(failed.Count == 0, $"{failed.Count} of 1000 not answered with the prediction: {string.Join("; ", failed.GroupBy(f => $"{f.Status} {f.Body}").Select(g => $"{g.Count()} x {g.Key}"))}\n{gateway.Tail()}");
        Assert.Equal(1, (await cluster.ReplicasAsync(ns, burst.Revision, _ => true, "read")).Spec);
    }

    [Fact]
    public async Task Of_two_gateway_replicas_feeding_the_scaler_one_killed_leaves_the_other_serving_and_its_load_leaves_the_sum_after_its_report_s_ttl()
    {
        var (ns, revision) = await cluster.ReadyAsync("dp-replicas", Manifests.Iris(
            "iris", "Serverless", minReplicas: 1, extra: "    maxReplicas: 1", annotations: "    autoscaling.knative.dev/window: 6s"));
        var gateways = await cluster.StartGatewaysAsync(ns, count: 2);
        await using var survivor = gateways[0];
        await using var victim = gateways[1];
        string host = $"iris.{ns}.example.com";
        await using var kept = new GatewayLoad(survivor.Inference, host, clients: 2);
        await using var lost = new GatewayLoad(victim.Inference, host, clients: 6);
        var loaded = Stopwatch.StartNew();
        await kept.WaitForSuccessesAsync(100, "load on the surviving replica");
        await lost.WaitForSuccessesAsync(100, "load on the replica to be killed");
        await Eventually.HoldsAsync(async () => (await cluster.ReportedAsync(revision)).Count == 2, "both replicas report the revision", ScalingCluster.Long);

        // The scaler's 6 s window full of both replicas' load (6 + 2 clients).
        await Eventually.HoldsAsync(() => loaded.Elapsed > TimeSpan.FromSeconds(8), "the scaler's window filled", ScalingCluster.Long);
        double both = await cluster.MetricAsync(ns, revision.Revision);
        var reported = await cluster.ReportedAsync(revision);

        var killed = Stopwatch.StartNew();
        await victim.KillAsync();
        await lost.StopAsync(); // its clients now meet a closed port
        await Eventually.HoldsAsync(async () => (await cluster.ReportedAsync(revision)).Count == 1, "the killed replica's report expired", ScalingCluster.Long);
        var expired = killed.Elapsed;
        double metric = both;
        await Eventually.HoldsAsync(async () => (metric = await cluster.MetricAsync(ns, revision.Revision)) < both / 2, $"the scaler's value below half of {both}", ScalingCluster.Long);
        var dropped = killed.Elapsed;
        await kept.WaitForSuccessesAsync(200, "load on the surviving replica after the kill");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"before the kill: reports [{string.Join(", ", reported)}], GetMetrics {both:F2}; SIGKILL -> its report gone after {expired.TotalSeconds:F2} s (TTL 2 s), GetMetrics {metric:F2} (< half) after {dropped.TotalSeconds:F2} s (6 s window)"));
        output.WriteLine($"surviving replica: {kept.Succeeded} answered, {kept.Failures.Count} failed; killed replica: {lost.Succeeded} answered before, {lost.Failures.Count} failed");
        Assert.True(kept.Failures.Count == 0, $"requests on the surviving replica failed:\n{string.Join('\n', kept.Failures)}\n{survivor.Tail()}");
        // The TTL is 2 s; the bound leaves a starved machine time to reap the kill and poll Redis, and still fails a report
        // kept much longer than its TTL (one that never expires fails the wait above).
        Assert.True(expired < TimeSpan.FromSeconds(15), $"the killed replica still counted {expired} after it died");
        Assert.True(dropped < TimeSpan.FromSeconds(30), $"the scaler's value fell by half only {dropped} after the kill");
    }

    [Fact]
    public async Task The_controller_killed_and_replaced_under_load_through_the_gateway_fails_no_request_and_converges_without_a_new_revision()
    {
        var (ns, revision) = await cluster.ReadyAsync("dp-controller", Manifests.Iris("iris", "Serverless", minReplicas: 1, extra: "    maxReplicas: 1"));
        await using var gateway = (await cluster.StartGatewaysAsync(ns)).Single();
        var before = (await cluster.GetAsync(ns, "inferenceservice", "iris"))!;
        var written = await SpecGenerationsAsync(ns, revision.Revision);
        Assert.All(written, generation => Assert.True(generation > 0));
        await using var load = new GatewayLoad(gateway.Inference, $"iris.{ns}.example.com", clients: 4);
        await load.WaitForSuccessesAsync(100, "load before");

        var controller = await cluster.ReplaceControllerAsync();
        await controller.WaitForOutputAsync("caches synced", ScalingCluster.Long);
        await load.WaitForSuccessesAsync(200, "load after the new controller synced");
        var after = await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "still Ready", output: controller);

        output.WriteLine($"{load.Succeeded} requests answered, {load.Failures.Count} failed across the controller's replacement");
        Assert.True(load.Failures.Count == 0, $"requests failed across the controller's replacement:\n{string.Join('\n', load.Failures)}\n{gateway.Tail()}");
        Assert.Equal([revision.Revision], (await cluster.ListAsync(ns, "deployments")).Select(d => d!["metadata"]!["name"]!.GetValue<string>()));
        Assert.DoesNotContain("RevisionCreated", controller.Output, StringComparison.Ordinal);
        Assert.Equal(before["metadata"]!["generation"]!.GetValue<long>(), after["status"]!["observedGeneration"]!.GetValue<long>());
        Assert.Equal(ServingCluster.Traffic(before["status"]!.AsObject()), ServingCluster.Traffic(after["status"]!.AsObject()));
        Assert.Equal(written, await SpecGenerationsAsync(ns, revision.Revision)); // nothing it owns rewritten
    }

    [Fact]
    public async Task After_the_scaler_restarts_a_request_at_zero_through_the_gateway_still_brings_a_replica()
    {
        var (ns, revision) = await cluster.ReadyAsync("dp-scaler", Manifests.Iris("iris", "Serverless", minReplicas: 0));
        await using var gateway = (await cluster.StartGatewaysAsync(ns)).Single();
        await cluster.ReplicasAsync(ns, revision.Revision, r => r.Spec == 0 && r.Pods == 0, "idle, at zero");
        await cluster.RestartScalerAsync($"{ns}/{revision.Revision}");

        var clock = Stopwatch.StartNew();
        var answer = await gateway.PostAsync($"iris.{ns}.example.com");
        output.WriteLine($"a request at zero after the scaler's restart: {(int)answer.Status} after {clock.ElapsedMilliseconds} ms");
        Assert.Equal((HttpStatusCode.OK, IrisRequest.Prediction), answer);
        Assert.Equal([0, 1], cluster.Series(ns, revision.Revision).Select(s => s.To));
    }

    /// <summary>The generations of what the controller writes for a revision: they move only when its spec is written.</summary>
    private async Task<long[]> SpecGenerationsAsync(string ns, string revision) =>
    [
        .. await Task.WhenAll(new[] { "deployment", "scaledobject" }.Select(async kind =>
            (await cluster.GetAsync(ns, kind, revision))?["metadata"]?["generation"]?.GetValue<long>() ?? -1)),
    ];
}
