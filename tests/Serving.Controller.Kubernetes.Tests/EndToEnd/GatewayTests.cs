using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Serving.Controller.Kubernetes.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// The gateway in cluster mode on a real API server: a <c>serving-gateway</c> process holding only the ClusterRole of
/// gateway/README.md routes what the controller (a real process) made, straight to the pods the node agent runs on
/// loopback addresses, found in <c>discovery.k8s.io/v1beta1</c> EndpointSlices (what 1.20 serves).
/// </summary>
[Collection(ServingClusterCollection.Name)]
public sealed class GatewayTests(ServingCluster cluster, ITestOutputHelper output)
{
    private const string Prediction = IrisRequest.Prediction;

    [Fact]
    public async Task The_lab_manifest_applied_with_kubectl_predicts_through_the_gateway_by_host_by_cluster_local_address_and_by_path_at_the_pod_s_address()
    {
        var (ns, gateway) = await ReadyIrisAsync("gw-lab", "RawDeployment", minReplicas: 1);
        await using var _ = gateway;

        var (status, body) = await gateway.EventuallyAsync(() => gateway.PostAsync($"iris.{ns}.example.com", "/v1/models/iris:predict"), r => r.Status == HttpStatusCode.OK, "a prediction by Host");
        Assert.Equal(Prediction, body);
        Assert.Equal((HttpStatusCode.OK, Prediction), await gateway.PostAsync("gateway.example.org", $"/serving/{ns}/iris/v1/models/iris:predict"));

        var pod = (await cluster.ListAsync(ns, "pods", "serving.kserve.io/revision=iris-predictor-00001")).Single()!;
        Assert.Equal([$"http://{pod["status"]!["podIP"]}:8080"], await gateway.RoutedAsync(ns, "iris"));
        Assert.Contains("endpointslices.discovery.k8s.io/v1beta1", gateway.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await gateway.PostAsync($"nothing.{ns}.example.com", "/v1/models/iris:predict")).Status);

        // The cluster-local address (kserve-api.md §2.1): status.address, the ExternalName Service {isvc} that aliases the
        // gateway's Service, owned by the InferenceService, and the gateway answering that host.
        var isvc = (await cluster.GetAsync(ns, "isvc", "iris"))!;
        Assert.Equal($"http://iris.{ns}.svc.cluster.local", (string?)isvc["status"]!["address"]!["url"]);
        var address = (await cluster.GetAsync(ns, "service", "iris"))!;
        Assert.Equal("ExternalName", (string?)address["spec"]!["type"]);
        Assert.Equal("serving-gateway.serving-system.svc.cluster.local", (string?)address["spec"]!["externalName"]);
        Assert.Equal((string?)isvc["metadata"]!["uid"], (string?)address["metadata"]!["ownerReferences"]![0]!["uid"]);
        Assert.Equal((HttpStatusCode.OK, Prediction), await gateway.PostAsync($"iris.{ns}.svc.cluster.local", "/v1/models/iris:predict"));
        Assert.DoesNotContain("forbidden", gateway.Output, StringComparison.OrdinalIgnoreCase); // the documented role is enough
    }

    [Fact]
    public async Task A_canary_by_kubectl_patch_is_followed_by_the_gateway_s_split_its_tag_host_and_the_promotion()
    {
        var (ns, gateway) = await ReadyIrisAsync("gw-canary", "Serverless", minReplicas: 1);
        await using var _ = gateway;
        string host = $"iris.{ns}.example.com";
        await gateway.EventuallyAsync(() => VersionAsync(gateway, host), v => v == "1", "revision 1 through the gateway");

        await PatchAsync(ns, """{"spec":{"predictor":{"canaryTrafficPercent":50,"model":{"args":["--model_version=2"]}}}}""");
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:50", "iris-predictor-00001:50@prev"]), "50/50");
        await gateway.EventuallyAsync(() => VersionAsync(gateway, host), v => v == "2", "revision 2 through the gateway");
        var versions = new List<string?>();
        for (int i = 0; i < 60; i++)
        {
            versions.Add(await VersionAsync(gateway, host));
        }

        Assert.All(versions, v => Assert.True(v is "1" or "2", $"every request answered by a revision: {string.Join(",", versions)}"));
        Assert.Contains("1", versions); // 60 draws at 50/50: each side at least once but with odds of 2^-60
        Assert.Contains("2", versions);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("1", await VersionAsync(gateway, $"prev-iris-predictor.{ns}.example.com"));
        }

        await PatchAsync(ns, """{"spec":{"predictor":{"canaryTrafficPercent":100}}}""");
        await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Traffic(s).SequenceEqual(["iris-predictor-00002:100"]), "promoted");
        await gateway.EventuallyAsync(
            async () =>
            {
                var answers = new List<string?>();
                for (int i = 0; i < 20; i++)
                {
                    answers.Add(await VersionAsync(gateway, host));
                }

                return answers;
            },
            answers => answers.All(v => v == "2"), "only revision 2 after the promotion");
    }

    [Fact]
    public async Task A_pod_that_stops_being_ready_or_is_deleted_leaves_routing_under_load_and_no_request_fails()
    {
        // A drain delay of 10 s, not the 3 s default in a pod: on a starved test machine the EndpointSlice change can take
        // longer than 3 s to reach the gateway (the test is about the gateway letting go, not about the default's margin).
        var (ns, gateway) = await ReadyIrisAsync("gw-pods", "RawDeployment", minReplicas: 2, runtimeArgs: ", \"--drain-delay-s=10\"");
        await using var _ = gateway;
        var routed = await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.Count == 2, "two replicas routed");
        var pods = await cluster.ListAsync(ns, "pods", "serving.kserve.io/revision=iris-predictor-00001");
        var victim = pods.Select(p => p!.AsObject()).Single(p => routed[0] == $"http://{p["status"]!["podIP"]}:8080");
        string name = victim["metadata"]!["name"]!.GetValue<string>();
        string address = routed[0];

        await using var load = new GatewayLoad(gateway.Inference, $"iris.{ns}.example.com", clients: 4);
        await load.WaitForSuccessesAsync(100, "load before");

        // Not ready, as a failing readiness probe makes it: the pod keeps running, its EndpointSlice marks it not ready.
        // This is the gateway's alone: no request may fail.
        var clock = Stopwatch.StartNew();
        await SetReadyAsync(ns, name, false);
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => !r.Contains(address), "the unready pod out of routing");
        output.WriteLine($"not ready -> out of the gateway's routing: {clock.ElapsedMilliseconds} ms after the status write began");
        await load.WaitForSuccessesAsync(100, "load on the other replica");
        await SetReadyAsync(ns, name, true);
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.Contains(address), "the pod back in routing once ready");
        await load.WaitForSuccessesAsync(100, "load on both again");
        Assert.True(load.Failures.Count == 0, $"failed requests while a pod was not ready:\n{string.Join('\n', load.Failures)}\n{gateway.Tail()}");

        // Deleted: terminating, it is not ready in its slice at once, and the Deployment's replacement comes in when ready.
        // The pod is told to stop at the same moment; the runtime keeps serving (not ready) for its drain delay (10 s here,
        // 3 s by default in a pod) until the gateway has let it go: no request may fail (see gateway/README.md, Cluster mode).
        clock.Restart();
        await cluster.KubectlAsync("delete", "pod", name, "-n", ns, "--wait=false");
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => !r.Contains(address), "the deleted pod out of routing");
        var left = DateTime.UtcNow;
        output.WriteLine($"deleted -> out of the gateway's routing: {clock.ElapsedMilliseconds} ms after kubectl delete began");
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.Count == 2 && !r.Contains(address), "the replacement routed");
        await load.WaitForSuccessesAsync(200, "load on the replacement");

        var failures = load.Failures;
        output.WriteLine($"{load.Succeeded} requests succeeded, {failures.Count} failed{(failures.Count > 0 ? ":\n" : "")}{string.Join('\n', failures)}");
        Assert.True(failures.Count == 0, $"failed requests around the pod's deletion (it left routing at {left:HH:mm:ss.fff}):\n{string.Join('\n', failures)}\n{gateway.Tail()}");
    }

    [Fact]
    public async Task A_request_for_a_revision_with_no_ready_pod_is_held_by_the_activator_until_one_is_ready()
    {
        var (ns, gateway) = await ReadyIrisAsync("gw-zero", "Serverless", minReplicas: 0);
        await using var _ = gateway;
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.Count == 1, "the first replica routed");

        // What KEDA does after the cooldown: the Deployment's scale to zero.
        await cluster.KubectlAsync("scale", "deployment", "iris-predictor-00001", "-n", ns, "--replicas=0");
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.Count == 0, "no replica routed");
        using var http = new HttpClient { BaseAddress = gateway.Inference, Timeout = TimeSpan.FromSeconds(120) };
        using var request = IrisRequest.To($"iris.{ns}.example.com");
        var held = http.SendAsync(request);
        await gateway.EventuallyAsync(() => gateway.HeldAsync(ns, "iris"), h => h == 1, "the request held by the activator");
        Assert.False(held.IsCompleted);

        await cluster.KubectlAsync("scale", "deployment", "iris-predictor-00001", "-n", ns, "--replicas=1");
        using var response = await held;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Prediction, await response.Content.ReadAsStringAsync());
        Assert.Equal(["true"], response.Headers.GetValues("X-Cold-Start"));
    }

    [Fact]
    public async Task After_the_API_server_restarts_the_gateway_has_kept_its_routes_and_follows_changes_again()
    {
        var (ns, gateway) = await ReadyIrisAsync("gw-restart", "RawDeployment", minReplicas: 1);
        await using var _ = gateway;
        var routed = await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.Count == 1, "the replica routed");
        string pod = (await cluster.ListAsync(ns, "pods", "serving.kserve.io/revision=iris-predictor-00001")).Single()!["metadata"]!["name"]!.GetValue<string>();

        await cluster.ControlPlane.RestartApiServerAsync(); // every watch breaks
        Assert.Equal((HttpStatusCode.OK, Prediction), await gateway.PostAsync($"iris.{ns}.example.com", "/v1/models/iris:predict"));
        Assert.Equal(routed, await gateway.RoutedAsync(ns, "iris"));

        await SetReadyAsync(ns, pod, false);
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.Count == 0, "the unready pod out of routing after the restart");
        await SetReadyAsync(ns, pod, true);
        await gateway.EventuallyAsync(() => gateway.RoutedAsync(ns, "iris"), r => r.SequenceEqual(routed), "the pod back");
        Assert.False(gateway.Exited);
    }

    [Fact]
    public async Task An_InferenceGraph_applied_with_kubectl_is_run_by_the_gateway_on_its_host()
    {
        var (ns, gateway) = await ReadyIrisAsync("gw-graph", "RawDeployment", minReplicas: 1);
        await using var _ = gateway;
        await cluster.ApplyAsync(ns, IrisGraph("iris-graph"));

        var (_, body) = await gateway.EventuallyAsync(() => gateway.PostAsync($"iris-graph.{ns}.example.com", "/"), r => r.Status == HttpStatusCode.OK, "the graph through the gateway");
        Assert.Equal(Prediction, body);

        // Its cluster-local name, as KServe's router Service {ig} gives it: an ExternalName Service aliasing the gateway's,
        // owned by the graph, and the gateway answering that host.
        var graph = (await cluster.GetAsync(ns, "inferencegraph", "iris-graph"))!;
        var address = await gateway.EventuallyAsync(() => cluster.GetAsync(ns, "service", "iris-graph"), s => s is not null, "the Service iris-graph");
        Assert.Equal("ExternalName", (string?)address!["spec"]!["type"]);
        Assert.Equal("serving-gateway.serving-system.svc.cluster.local", (string?)address["spec"]!["externalName"]);
        Assert.Equal((string?)graph["metadata"]!["uid"], (string?)address["metadata"]!["ownerReferences"]![0]!["uid"]);
        Assert.Equal((HttpStatusCode.OK, Prediction), await gateway.PostAsync($"iris-graph.{ns}.svc.cluster.local", "/"));

        // A graph named as the InferenceService that holds the name already: the service keeps it, the graph says why.
        await cluster.ApplyAsync(ns, IrisGraph("iris"));
        var conflict = await gateway.EventuallyAsync(
            async () => (await cluster.GetAsync(ns, "inferencegraph", "iris"))?["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == "AddressReady"),
            c => c is not null, "graph iris's AddressReady");
        Assert.Equal(("False", "AddressConflict"), ((string?)conflict!["status"], (string?)conflict["reason"]));
        Assert.Contains($"Service {ns}/iris exists and is InferenceService iris's", (string?)conflict["message"], StringComparison.Ordinal);
        var isvc = (await cluster.GetAsync(ns, "isvc", "iris"))!;
        Assert.Equal((string?)isvc["metadata"]!["uid"], (string?)(await cluster.GetAsync(ns, "service", "iris"))!["metadata"]!["ownerReferences"]![0]!["uid"]);
        await gateway.EventuallyAsync(
            async () => (await cluster.ListAsync(ns, "events")).Where(e => (string?)e!["involvedObject"]!["kind"] == "InferenceGraph" && (string?)e["reason"] == "AddressConflict").ToList(),
            events => events.Count == 1 && (string?)events[0]!["type"] == "Warning", "the graph's AddressConflict event");
    }

    [Fact]
    public async Task A_service_that_cannot_serve_answers_503_with_its_reason()
    {
        string ns = await cluster.NamespaceAsync("gw-refused");
        await cluster.ApplyAsync(ns, Manifests.SklearnIris);
        await cluster.WaitForServiceAsync(ns, "sklearn-iris", s => ServingCluster.Condition(s, "Ready") == "False", "sklearn-iris refused");
        await using var gateway = await StartGatewayAsync(ns, namespaced: true); // a RoleBinding in its namespace is enough with --namespace

        var (status, body) = await gateway.PostAsync($"sklearn-iris.{ns}.example.com", "/v1/models/sklearn-iris:predict");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var error = JsonNode.Parse(body)!;
        Assert.Equal("NoSupportingRuntime", error["reason"]!.GetValue<string>());
        Assert.Contains($"InferenceService {ns}/sklearn-iris cannot serve", error["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("sklearn", error["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>A graph of one step: the InferenceService iris.</summary>
    private static string IrisGraph(string name) => $"""
        apiVersion: serving.kserve.io/v1alpha1
        kind: InferenceGraph
        metadata:
          name: {name}
        spec:
          nodes:
            root:
              routerType: Sequence
              steps:
              - serviceName: iris
                name: classify
        """;

    /// <summary>A namespace with the lab's iris applied and Ready, and a gateway started before it was (it follows the changes).</summary>
    private async Task<(string Ns, GatewayProcess Gateway)> ReadyIrisAsync(string prefix, string mode, int minReplicas, string runtimeArgs = "")
    {
        string ns = await cluster.NamespaceAsync(prefix);
        await cluster.ProvideIrisClaimAsync(ns);
        var gateway = await StartGatewayAsync(ns);
        try
        {
            await cluster.ApplyAsync(ns, Manifests.Iris("iris", mode, minReplicas, runtimeArgs: runtimeArgs));
            await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "iris Ready");
            return (ns, gateway);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <param name="namespaced">With <c>--namespace</c>, the role bound in that namespace only.</param>
    private async Task<GatewayProcess> StartGatewayAsync(string ns, bool namespaced = false)
    {
        var gateway = await GatewayProcess.StartAsync(
            await GatewayAccess.KubeconfigAsync(cluster, ns, namespaced), Path.Combine(cluster.ControlPlane.Directory, $"gateway-{ns}.log"),
            ["--log-level", "Debug", .. namespaced ? new[] { "--namespace", ns } : []]);
        output.WriteLine($"gateway at {gateway.Inference}, admin {gateway.Admin}");
        return gateway;
    }

    private Task PatchAsync(string ns, string patch) => cluster.KubectlAsync("patch", "isvc", "iris", "-n", ns, "--type", "merge", "-p", patch);

    /// <summary>Sets the pod's Ready condition as a kubelet's readiness probe would (the node agent writes only its own changes).</summary>
    private Task SetReadyAsync(string ns, string pod, bool ready) => cluster.KubectlAsync(
        "patch", "pod", pod, "-n", ns, "--subresource=status", "--type=strategic",
        "-p", $$$"""{"status":{"conditions":[{"type":"Ready","status":"{{{(ready ? "True" : "False")}}}"},{"type":"ContainersReady","status":"{{{(ready ? "True" : "False")}}}"}]}}""");

    /// <summary>The model version a V2 inference through the gateway is answered with; null when it fails.</summary>
    private static async Task<string?> VersionAsync(GatewayProcess gateway, string host)
    {
        using var http = new HttpClient { BaseAddress = gateway.Inference };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/models/iris/infer")
        {
            Content = new StringContent("""{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[6.8,2.8,4.8,1.4]}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync())?["model_version"]?.GetValue<string>() : null;
    }

}
