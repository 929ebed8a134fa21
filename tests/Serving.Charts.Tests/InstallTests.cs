using System.Text.Json.Nodes;
using Serving.Charts.Tests.Infrastructure;

namespace Serving.Charts.Tests;

/// <summary>
/// <c>helm install</c>, <c>upgrade</c> and <c>uninstall</c> into a real API server (v1.20, RBAC): the objects are accepted,
/// the CRDs established, upgrades change objects in place, and uninstall leaves only what it should (the kept CRDs, the
/// namespace helm created, and Events).
/// </summary>
[Collection(ChartClusterCollection.Name)]
public sealed class InstallTests(ChartCluster cluster)
{
    private const string Kinds =
        "deployments,replicasets,pods,services,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings,poddisruptionbudgets,ingresses,clusterservingruntimes.serving.kserve.io,customresourcedefinitions";

    [Fact]
    public async Task Install_upgrade_and_uninstall_leave_only_the_kept_CRDs_then_nothing_when_they_are_not_kept()
    {
        await cluster.HelmChartAsync("install", "sp", "serving-system", "--create-namespace");
        await cluster.KubectlAsync("wait", "--for=condition=Established", "--timeout=60s",
            "crd/inferenceservices.serving.kserve.io", "crd/inferencegraphs.serving.kserve.io", "crd/servingruntimes.serving.kserve.io", "crd/clusterservingruntimes.serving.kserve.io");
        Assert.Equal(
        [
            "deployment.apps/sp-serving-platform-controller", "deployment.apps/sp-serving-platform-gateway",
            "deployment.apps/sp-serving-platform-redis", "deployment.apps/sp-serving-platform-scaler",
        ], await cluster.NamesAsync("deployments", "app.kubernetes.io/instance=sp"));
        var runtime = await cluster.GetAsync("clusterservingruntime", "serving-onnxruntime");
        Assert.Equal("ghcr.io/serving-platform/serving-runtime:0.1.0", (string?)runtime["spec"]!["containers"]![0]!["image"]);
        string runtimeUid = (string)runtime["metadata"]!["uid"]!;
        var controllerRole = await cluster.GetAsync("clusterrole", "sp-serving-platform-controller");
        Assert.Contains(controllerRole["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => (string?)x == "secrets"));
        Assert.Contains("serving-onnxruntime", await cluster.KubectlAsync("get", "clusterservingruntimes"), StringComparison.Ordinal);
        string status = await cluster.KubectlAsync("get", "--raw", "/apis/serving.kserve.io/v1beta1");
        Assert.Contains("inferenceservices/status", status, StringComparison.Ordinal);

        // Upgrade: new tag, more replicas, an Ingress, a LoadBalancer, no storage credentials.
        await cluster.HelmChartAsync("upgrade", "sp", "serving-system",
            "--set", "image.tag=0.2.0", "--set", "controller.replicas=3", "--set", "gateway.ingress.enabled=true",
            "--set", "gateway.service.type=LoadBalancer", "--set", "controller.storageCredentials=false");
        var controller = await cluster.GetAsync("deployment", "sp-serving-platform-controller", "-n", "serving-system");
        Assert.Equal(3, controller["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("ghcr.io/serving-platform/serving-controller:0.2.0", (string?)controller["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("LoadBalancer", (string?)(await cluster.GetAsync("service", "sp-serving-platform-gateway", "-n", "serving-system"))["spec"]!["type"]);
        var rule = (await cluster.GetAsync("ingress", "sp-serving-platform-gateway", "-n", "serving-system"))["spec"]!["rules"]!.AsArray().Single()!;
        Assert.Null(rule["host"]); // every host to the gateway: {isvc}.{ns}.{domain} is two labels, beyond an Ingress wildcard
        Assert.Equal("sp-serving-platform-gateway", (string?)rule["http"]!["paths"]![0]!["backend"]!["service"]!["name"]);
        controllerRole = await cluster.GetAsync("clusterrole", "sp-serving-platform-controller");
        Assert.DoesNotContain(controllerRole["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => (string?)x == "secrets"));
        runtime = await cluster.GetAsync("clusterservingruntime", "serving-onnxruntime");
        Assert.Equal("ghcr.io/serving-platform/serving-runtime:0.2.0", (string?)runtime["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(runtimeUid, (string?)runtime["metadata"]!["uid"]); // patched in place, never gone for the controller to notice

        // Uninstall: the CRDs stay (helm.sh/resource-policy: keep), so InferenceServices survive; nothing else of the release.
        string uninstalled = (await cluster.HelmAsync("uninstall", "sp", "--namespace", "serving-system")).EnsureSuccess("helm uninstall").StandardOutput;
        Assert.Contains("kept due to the resource policy", uninstalled, StringComparison.Ordinal);
        await ChartCluster.EventuallyAsync(
            async () => (await cluster.NamesAsync(Kinds, "app.kubernetes.io/instance=sp")).All(n => n.StartsWith("customresourcedefinition", StringComparison.Ordinal)),
            "everything of release sp but its CRDs gone");
        Assert.Equal(4, (await cluster.NamesAsync("customresourcedefinitions", "app.kubernetes.io/instance=sp")).Count);
        await ChartCluster.EventuallyAsync(
            async () => !(await cluster.KubectlAsync("get", "secrets", "-n", "serving-system", "-o", "name")).Contains("sp-serving-platform", StringComparison.Ordinal),
            "the ServiceAccounts' token Secrets gone");

        // Installed again with crds.keep=false, the release adopts the kept CRDs, and uninstall deletes them.
        await cluster.HelmChartAsync("install", "sp", "serving-system", "--set", "crds.keep=false");
        Assert.Equal("ghcr.io/serving-platform/serving-runtime:0.1.0", (string?)(await cluster.GetAsync("clusterservingruntime", "serving-onnxruntime"))["spec"]!["containers"]![0]!["image"]);
        (await cluster.HelmAsync("uninstall", "sp", "--namespace", "serving-system")).EnsureSuccess("helm uninstall");
        await ChartCluster.EventuallyAsync(async () => (await cluster.NamesAsync(Kinds, "app.kubernetes.io/instance=sp")).Count == 0, "nothing of release sp left");
    }

    [Fact]
    public async Task A_platform_team_s_values_and_KEDA_scaling_of_the_gateway_are_accepted_by_the_API_server()
    {
        // KEDA's own CRD, so the gateway's ScaledObject meets KEDA's schema (kubectl cannot check x-kubernetes-validations).
        await cluster.KubectlAsync("apply", "--validate=false", "-f", Path.Combine(Chart.Repository, "..", "shared", "k8s", "keda.sh_scaledobjects.yaml"));
        await cluster.KubectlAsync("wait", "--for=condition=Established", "--timeout=60s", "crd/scaledobjects.keda.sh");
        await cluster.KubectlAsync("create", "namespace", "models");
        await cluster.HelmChartAsync("install", "prod", "prod-system", "--create-namespace", "-f", Chart.Values("production.yaml"),
            "--set", "crds.install=false", "--set", "runtime.install=false", "--set", "gateway.autoscaling.enabled=true");

        var scaled = await cluster.GetAsync("scaledobject", "prod-serving-platform-gateway", "-n", "prod-system");
        Assert.Equal("prod-serving-platform-gateway", (string?)scaled["spec"]!["scaleTargetRef"]!["name"]);
        var role = await cluster.GetAsync("role", "prod-serving-platform-controller", "-n", "models");
        Assert.NotEmpty(role["rules"]!.AsArray());
        var scaler = await cluster.GetAsync("deployment", "prod-serving-platform-scaler", "-n", "prod-system");
        Assert.Contains(scaler["spec"]!["template"]!["spec"]!["volumes"]!.AsArray(), v => (string?)v!["secret"]?["secretName"] == "scaler-tls");
        var gateway = await cluster.GetAsync("deployment", "prod-serving-platform-gateway", "-n", "prod-system");
        var security = gateway["spec"]!["template"]!["spec"]!["containers"]![0]!["securityContext"]!;
        Assert.Equal("RuntimeDefault", (string?)security["seccompProfile"]!["type"]); // kept by the server, not dropped as unknown
        Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>());

        (await cluster.HelmAsync("uninstall", "prod", "--namespace", "prod-system")).EnsureSuccess("helm uninstall");
        await ChartCluster.EventuallyAsync(async () => (await cluster.NamesAsync(Kinds + ",scaledobjects.keda.sh", "app.kubernetes.io/instance=prod")).Count == 0, "nothing of release prod left");
    }
}
