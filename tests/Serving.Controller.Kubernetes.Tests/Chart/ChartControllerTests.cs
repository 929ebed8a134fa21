using Serving.Controller.Kubernetes.Tests.Infrastructure;

namespace Serving.Controller.Kubernetes.Tests.Chart;

/// <summary>
/// The controller as the chart deploys it, on a real API server with RBAC: the chart's ServiceAccount token, leader
/// election on the chart's Lease in the release namespace, and the chart's ClusterServingRuntime. A serverless
/// (ScaledObject) and a raw (HPA) InferenceService reach Ready and nothing the controller asks for is refused.
/// (Every test of the serving-cluster collection also runs its controller with this ServiceAccount.)
/// </summary>
[Collection(ChartRuntimeClusterCollection.Name)]
public sealed class ChartControllerTests(ChartRuntimeCluster cluster)
{
    [Fact]
    public async Task The_controller_leads_on_the_chart_s_Lease_and_reconciles_to_Ready_with_only_the_chart_s_RBAC()
    {
        await using var controller = await ControllerProcess.StartAsync(
            cluster.ControllerKubeconfig, "chart-controller-0", ServingCluster.ChartLease, ServingCluster.ChartNamespace);
        string ns = await cluster.NamespaceAsync("chart");
        await cluster.ProvideIrisClaimAsync(ns);
        await cluster.ApplyAsync(ns, Manifests.Iris("serverless", "Serverless", minReplicas: 1) + "\n---\n" + Manifests.Iris("raw", "RawDeployment", minReplicas: 1));

        await cluster.WaitForServiceAsync(ns, "serverless", s => ServingCluster.Condition(s, "Ready") == "True", "serverless Ready", output: controller);
        await cluster.WaitForServiceAsync(ns, "raw", s => ServingCluster.Condition(s, "Ready") == "True", "raw Ready", output: controller);
        Assert.True(await cluster.GetAsync(ns, "scaledobject", "serverless-predictor-00001") is not null, controller.Output);
        Assert.NotNull(await cluster.GetAsync(ns, "hpa", "raw-predictor-00001"));

        // The chart's runtime served them, with the chart's image.
        var deployment = (await cluster.GetAsync(ns, "deployment", "serverless-predictor-00001"))!;
        Assert.Equal("ghcr.io/serving-platform/serving-runtime:0.1.0", (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);

        var lease = (await cluster.GetAsync(ServingCluster.ChartNamespace, "lease", ServingCluster.ChartLease))!;
        Assert.Equal("chart-controller-0", (string?)lease["spec"]!["holderIdentity"]);
        Assert.Contains("RevisionCreated", await cluster.KubectlAsync("get", "events", "-n", ns), StringComparison.Ordinal);
        Assert.DoesNotContain("Forbidden", controller.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(" 403", controller.Output, StringComparison.Ordinal);
    }
}
