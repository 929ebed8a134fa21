using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Serving.Controller.Kubernetes.Tests.Infrastructure;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// The controller under the failures a cluster has: killed in the middle of a rollout (SIGKILL, no cleanup), the API
/// server restarted under it (both with the chart's ServiceAccount), and two replicas electing one leader. Each test
/// starts and stops its own controllers.
/// </summary>
[Collection(BareClusterCollection.Name)]
public sealed class ResilienceTests(BareCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task A_controller_killed_mid_rollout_is_replaced_by_one_that_converges_with_the_same_revisions_and_no_duplicates()
    {
        string ns = await cluster.NamespaceAsync("killed");
        await cluster.ProvideIrisClaimAsync(ns);
        var first = await ControllerProcess.StartAsync(cluster.ControllerKubeconfig, "first");
        try
        {
            await cluster.ApplyAsync(ns, Manifests.Iris("iris", "Serverless", minReplicas: 1));
            await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "revision 1 Ready");

            // The canary's revision is created, then the controller dies before it can route to it.
            await cluster.KubectlAsync("patch", "isvc", "iris", "-n", ns, "--type", "merge", "-p",
                """{"spec":{"predictor":{"canaryTrafficPercent":50,"model":{"args":["--model_version=2"]}}}}""");
            await Eventually(async () => await cluster.GetAsync(ns, "deployment", "iris-predictor-00002") is not null, "revision 2 created");
            await first.KillAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Meanwhile the spec moves on: the next controller must see it too.
        await cluster.KubectlAsync("patch", "isvc", "iris", "-n", ns, "--type", "merge", "-p", """{"spec":{"predictor":{"canaryTrafficPercent":100}}}""");
        await using var second = await ControllerProcess.StartAsync(cluster.ControllerKubeconfig, "second");
        var converged = await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:100"]), "promoted by the second controller");
        Assert.Equal("True", ServingCluster.Condition(converged["status"]!.AsObject(), "Ready"));
        Assert.Equal("iris-predictor-00001", converged["status"]!["components"]!["predictor"]!["previousRolledoutRevision"]!.GetValue<string>());

        // Nothing made twice, and no revision numbered past the two the specs asked for.
        Assert.Equal(["iris-predictor-00001", "iris-predictor-00002"], Names(await cluster.ListAsync(ns, "deployments")));
        Assert.Equal(["iris", "iris-predictor-00001", "iris-predictor-00002"], Names(await cluster.ListAsync(ns, "services"))); // "iris": the cluster-local address
        await Eventually(
            async () => Names(await cluster.ListAsync(ns, "scaledobjects")).SequenceEqual(["iris-predictor-00002"]),
            "one autoscaler, revision 2's (revision 1's removed once it retired)");
    }

    [Fact]
    public async Task The_API_server_restarted_under_the_controller_is_relisted_and_changes_made_after_it_converge()
    {
        string ns = await cluster.NamespaceAsync("apiserver");
        await cluster.ProvideIrisClaimAsync(ns);
        await using var controller = await ControllerProcess.StartAsync(cluster.ControllerKubeconfig, "survivor");
        await cluster.ApplyAsync(ns, Manifests.Iris("iris", "RawDeployment", minReplicas: 1));
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "Ready before the restart");

        await cluster.ControlPlane.RestartApiServerAsync();
        Assert.False(controller.Exited, "the controller exited when the API server went away:\n" + controller.Output);

        await cluster.KubectlAsync("patch", "isvc", "iris", "-n", ns, "--type", "merge", "-p", """{"spec":{"predictor":{"model":{"args":["--model_version=2"]}}}}""");
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:100"]), "rolled out after the restart");
        await cluster.ApplyAsync(ns, Manifests.Iris("second", "RawDeployment", minReplicas: 1));
        await cluster.WaitForServiceAsync(ns, "second", s => ServingCluster.Condition(s, "Ready") == "True", "a service created after the restart Ready");
        Assert.False(controller.Exited);
    }

    [Fact]
    public async Task Two_controllers_elect_one_leader_and_the_other_takes_over_within_the_lease_when_it_is_killed()
    {
        string ns = await cluster.NamespaceAsync("leader");
        await cluster.ProvideIrisClaimAsync(ns);
        string lease = "serving-controller-" + ns;
        var a = await ControllerProcess.StartAsync(cluster.Kubeconfig, "replica-a", lease);
        var b = await ControllerProcess.StartAsync(cluster.Kubeconfig, "replica-b", lease);
        try
        {
            string leader = await HolderAsync(lease, h => h is "replica-a" or "replica-b");
            var (leading, standing) = leader == "replica-a" ? (a, b) : (b, a);
            await cluster.ApplyAsync(ns, Manifests.Iris("iris", "RawDeployment", minReplicas: 1));
            await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "Ready under the leader");
            Assert.Contains("caches synced", leading.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("caches synced", standing.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("RevisionCreated", standing.Output, StringComparison.Ordinal);

            var killed = Stopwatch.StartNew();
            await leading.KillAsync();
            await HolderAsync(lease, h => h == standing.Identity);
            output.WriteLine($"{standing.Identity} took over {killed.Elapsed.TotalSeconds:F1} s after {leading.Identity} was killed (lease 6 s)");
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(30), $"takeover took {killed.Elapsed}");

            await cluster.KubectlAsync("patch", "isvc", "iris", "-n", ns, "--type", "merge", "-p", """{"spec":{"predictor":{"model":{"args":["--model_version=2"]}}}}""");
            await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:100"]), "rolled out by the new leader");
            Assert.Equal(["iris-predictor-00001", "iris-predictor-00002"], Names(await cluster.ListAsync(ns, "deployments")));
        }
        finally
        {
            output.WriteLine("replica-a:\n" + a.Output + "\nreplica-b:\n" + b.Output);
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    private async Task<string> HolderAsync(string lease, Func<string?, bool> wanted)
    {
        string? holder = null;
        await Eventually(async () =>
        {
            holder = (await cluster.GetAsync("default", "lease", lease))?["spec"]?["holderIdentity"]?.GetValue<string>();
            return wanted(holder);
        }, $"lease {lease} held as wanted (last holder: {holder ?? "none"})");
        return holder!;
    }

    private static string[] Names(JsonArray items) =>
        [.. items.Select(i => i!["metadata"]!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(250);
        }
    }
}
