using System.Text.Json.Nodes;
using Serving.Controller.Kubernetes.Tests.Infrastructure;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// The KServe lab on a real API server, with <c>kubectl</c>: the controller (a real process) turns InferenceServices into
/// Deployments, Services and autoscalers; the node agent runs their pods as local runtime processes.
/// </summary>
[Collection(ServingClusterCollection.Name)]
public sealed class LabTests(ServingCluster cluster)
{
    [Fact]
    public async Task A_lab_manifest_in_raw_mode_is_Ready_with_its_objects_its_columns_and_its_events()
    {
        string ns = await cluster.NamespaceAsync("lab");
        await cluster.ProvideIrisClaimAsync(ns);
        await cluster.ApplyAsync(ns, Manifests.Iris("iris", "RawDeployment", minReplicas: 1, extra: "    scaleMetric: cpu\n    scaleTarget: 65\n    maxReplicas: 4\n"));

        var isvc = await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "iris Ready");
        var status = isvc["status"]!.AsObject();
        Assert.Equal("http://iris." + ns + ".example.com", status["url"]!.GetValue<string>());
        Assert.Equal("Standard", status["deploymentMode"]!.GetValue<string>());
        Assert.Equal(["iris-predictor-00001:100"], ServingCluster.Traffic(status));
        Assert.Equal(isvc["metadata"]!["generation"]!.GetValue<long>(), status["observedGeneration"]!.GetValue<long>());

        string table = await cluster.KubectlAsync("get", "isvc", "-n", ns);
        Assert.Contains("URL", table, StringComparison.Ordinal);
        Assert.Contains("LATESTREADYREVISION", table, StringComparison.Ordinal);
        Assert.Matches(@"iris\s+http://iris\.\S+\s+True\s+100\s+iris-predictor-00001", table);

        var deployment = (await cluster.GetAsync(ns, "deployment", "iris-predictor-00001"))!;
        Assert.Equal("iris", deployment["metadata"]!["labels"]!["serving.kserve.io/inferenceservice"]!.GetValue<string>());
        Assert.Equal("predictor", deployment["metadata"]!["labels"]!["component"]!.GetValue<string>());
        Assert.Equal("InferenceService", deployment["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        Assert.NotNull(await cluster.GetAsync(ns, "service", "iris-predictor-00001"));
        var hpa = (await cluster.GetAsync(ns, "hpa", "iris-predictor-00001"))!;
        Assert.Equal(65, hpa["spec"]!["metrics"]?[0]?["resource"]?["target"]?["averageUtilization"]?.GetValue<int>() ?? hpa["spec"]!["targetCPUUtilizationPercentage"]!.GetValue<int>());

        // The pod answers at its own address (what the gateway routes to).
        var pod = (await cluster.ListAsync(ns, "pods", "serving.kserve.io/revision=iris-predictor-00001")).Single()!;
        string ip = pod["status"]!["podIP"]!.GetValue<string>();
        using var http = new HttpClient();
        var answer = await http.PostAsync(new Uri($"http://{ip}:8080/v1/models/iris:predict"), new StringContent("""{"instances":[[6.8,2.8,4.8,1.4]]}"""));
        Assert.Equal("""{"predictions":[1]}""", await answer.Content.ReadAsStringAsync());

        string described = await cluster.KubectlAsync("describe", "isvc", "iris", "-n", ns);
        Assert.Contains("RevisionCreated", described, StringComparison.Ordinal);
        Assert.Contains("InferenceServiceReady", described, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_canary_by_kubectl_patch_moves_10_50_100_and_back_to_0_as_in_KServe_s_table()
    {
        string ns = await cluster.NamespaceAsync("canary");
        await cluster.ProvideIrisClaimAsync(ns);
        await cluster.ApplyAsync(ns, Manifests.Iris("iris", "Serverless", minReplicas: 1));
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "revision 1 Ready");

        await PatchAsync(ns, """{"spec":{"predictor":{"canaryTrafficPercent":10,"model":{"args":["--model_version=2"]}}}}""");
        var split = await cluster.WaitForServiceAsync(
            ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:10", "iris-predictor-00001:90@prev"]), "10% on revision 2");
        Assert.Equal("iris-predictor-00001", Predictor(split)["latestRolledoutRevision"]!.GetValue<string>());

        await PatchAsync(ns, """{"spec":{"predictor":{"canaryTrafficPercent":50}}}""");
        await cluster.WaitForServiceAsync(
            ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:50", "iris-predictor-00001:50@prev"]), "50/50");
        string columns = await cluster.KubectlAsync("get", "isvc", "iris", "-n", ns);
        Assert.Matches(@"iris\s+\S+\s+True\s+50\s+50\s+iris-predictor-00001\s+iris-predictor-00002", columns);

        await PatchAsync(ns, """{"spec":{"predictor":{"canaryTrafficPercent":100}}}""");
        var promoted = await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:100"]), "promoted");
        Assert.Equal("iris-predictor-00002", Predictor(promoted)["latestRolledoutRevision"]!.GetValue<string>());
        Assert.Equal("iris-predictor-00001", Predictor(promoted)["previousRolledoutRevision"]!.GetValue<string>());
        await Eventually(async () => (await cluster.GetAsync(ns, "deployment", "iris-predictor-00001"))?["spec"]?["replicas"]?.GetValue<int>() == 0, "revision 1 kept at zero");

        await PatchAsync(ns, """{"spec":{"predictor":{"canaryTrafficPercent":0}}}""");
        var rolledBack = await cluster.WaitForServiceAsync(
            ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:0", "iris-predictor-00001:100@prev"])
                && Predictor(s.Parent!.AsObject())["latestRolledoutRevision"]?.GetValue<string>() == "iris-predictor-00001",
            "rolled back to revision 1");
        Assert.NotNull(rolledBack);
        await Eventually(async () => (await cluster.GetAsync(ns, "deployment", "iris-predictor-00001"))?["status"]?["readyReplicas"]?.GetValue<int>() >= 1, "revision 1 runs again");
    }

    [Fact]
    public async Task Annotating_the_mode_switches_it_without_a_moment_where_no_ready_revision_backs_the_service()
    {
        string ns = await cluster.NamespaceAsync("mode");
        await cluster.ProvideIrisClaimAsync(ns);
        await cluster.ApplyAsync(ns, Manifests.Iris("iris", "Serverless", minReplicas: 1));
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "Ready in Serverless mode");

        using var watching = new CancellationTokenSource();
        var gaps = new List<string>();
        var watcher = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                var status = (await cluster.GetAsync(ns, "inferenceservice", "iris"))?["status"]?.AsObject();
                foreach (var target in status?["components"]?["predictor"]?["traffic"]?.AsArray() ?? [])
                {
                    if (target?["percent"]?.GetValue<long>() > 0 && target["revisionName"]?.GetValue<string>() is { } revision)
                    {
                        var deployment = await cluster.GetAsync(ns, "deployment", revision);
                        if ((deployment?["status"]?["readyReplicas"]?.GetValue<int>() ?? 0) == 0 && await StillRoutedAsync(revision))
                        {
                            gaps.Add($"{DateTime.UtcNow:HH:mm:ss.fff}: traffic on {revision}, which has no ready replica; deployment status {deployment?["status"]?.ToJsonString()}; service status {status?.ToJsonString()}");
                        }
                    }
                }

                await Task.Delay(100);
            }
        });

        // The two reads are apart (two kubectl runs, longer on a busy machine): a gap counts only if the revision still
        // has traffic after the Deployment was read, not if traffic left it (and its grace ran out) in between.
        async Task<bool> StillRoutedAsync(string revision) =>
            ((await cluster.GetAsync(ns, "inferenceservice", "iris"))?["status"]?["components"]?["predictor"]?["traffic"]?.AsArray() ?? [])
            .Any(t => t?["revisionName"]?.GetValue<string>() == revision && t["percent"]?.GetValue<long>() > 0);

        await cluster.KubectlAsync("annotate", "isvc", "iris", "-n", ns, "serving.kserve.io/deploymentMode=RawDeployment", "--overwrite");
        var raw = await cluster.WaitForServiceAsync(
            ns, "iris", s => s["deploymentMode"]?.GetValue<string>() == "Standard" && ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:100"]), "switched to raw");
        Assert.NotNull(await cluster.GetAsync(ns, "hpa", "iris-predictor-00002"));
        await cluster.KubectlAsync("annotate", "isvc", "iris", "-n", ns, "serving.kserve.io/deploymentMode=Serverless", "--overwrite");
        await cluster.WaitForServiceAsync(
            ns, "iris", s => s["deploymentMode"]?.GetValue<string>() == "Knative" && ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00003:100"]), "back to serverless");
        Assert.NotNull(await cluster.GetAsync(ns, "scaledobject", "iris-predictor-00003"));
        await watching.CancelAsync();
        await watcher;

        Assert.True(gaps.Count == 0, string.Join("\n", gaps));
        Assert.Equal("True", ServingCluster.Condition(raw["status"]!.AsObject(), "Ready"));
    }

    [Fact]
    public async Task The_walkthrough_s_sklearn_manifest_is_not_ready_with_NoSupportingRuntime_and_creates_nothing()
    {
        string ns = await cluster.NamespaceAsync("sklearn");
        await cluster.ApplyAsync(ns, Manifests.SklearnIris);

        var isvc = await cluster.WaitForServiceAsync(ns, "sklearn-iris", s => ServingCluster.Condition(s, "Ready") == "False", "sklearn-iris refused");
        var status = isvc["status"]!.AsObject();
        Assert.Equal("NoSupportingRuntime", ServingCluster.Condition(status, "Ready", "reason"));
        Assert.Contains("sklearn", ServingCluster.Condition(status, "Ready", "message"), StringComparison.Ordinal);
        await Task.Delay(1000);
        Assert.Empty(await cluster.ListAsync(ns, "deployments"));
        Assert.Contains("NoSupportingRuntime", await cluster.KubectlAsync("describe", "isvc", "sklearn-iris", "-n", ns), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_names_a_typo_from_the_CRD_schema_and_deleting_the_service_deletes_its_objects()
    {
        string ns = await cluster.NamespaceAsync("typo");
        await cluster.ProvideIrisClaimAsync(ns);
        string file = Path.Combine(cluster.ControlPlane.Directory, $"typo-{ns}.yaml");
        await File.WriteAllTextAsync(file, Manifests.Iris("iris", "Serverless", minReplicas: 1).Replace("storageUri:", "stoargeUri:", StringComparison.Ordinal));
        var refused = await cluster.TryKubectlAsync("apply", "-n", ns, "-f", file);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("unknown field \"stoargeUri\"", refused.StandardError, StringComparison.Ordinal);

        await cluster.ApplyAsync(ns, Manifests.Iris("iris", "Serverless", minReplicas: 1));
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "iris Ready");
        await cluster.KubectlAsync("delete", "isvc", "iris", "-n", ns);
        await Eventually(async () => (await cluster.ListAsync(ns, "deployments")).Count == 0 && (await cluster.ListAsync(ns, "services")).Count == 0, "its objects collected");
    }

    private Task PatchAsync(string ns, string patch) => cluster.KubectlAsync("patch", "isvc", "iris", "-n", ns, "--type", "merge", "-p", patch);

    private static JsonObject Predictor(JsonObject isvcOrStatus) =>
        (isvcOrStatus["status"] ?? isvcOrStatus)["components"]!["predictor"]!.AsObject();

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
