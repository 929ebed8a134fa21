using System.Text.Json.Nodes;
using Serving.Charts.Tests.Infrastructure;

namespace Serving.Charts.Tests;

/// <summary>
/// Every Deployment the chart renders, for several values files: probes on declared ports, resources, the restricted
/// security context, images from one place, and the addresses components give each other matching the Services.
/// </summary>
public sealed class WorkloadTemplateTests
{
    private const string Prefix = "sp-serving-platform";

    public static TheoryData<string> ValuesFiles => ["", "production.yaml", "keda-and-prometheus.yaml", "minimal.yaml"];

    [Fact]
    public async Task The_defaults_render_the_platform_and_nothing_else()
    {
        var rendered = await Chart.TemplateAsync();
        Assert.Equal(
        [
            "ClusterRole sp-serving-platform-controller", "ClusterRole sp-serving-platform-controller-runtimes", "ClusterRole sp-serving-platform-gateway",
            "ClusterRoleBinding sp-serving-platform-controller", "ClusterRoleBinding sp-serving-platform-controller-runtimes", "ClusterRoleBinding sp-serving-platform-gateway",
            "ClusterServingRuntime serving-onnxruntime",
            "CustomResourceDefinition clusterservingruntimes.serving.kserve.io", "CustomResourceDefinition inferencegraphs.serving.kserve.io",
            "CustomResourceDefinition inferenceservices.serving.kserve.io", "CustomResourceDefinition servingruntimes.serving.kserve.io",
            "Deployment sp-serving-platform-controller", "Deployment sp-serving-platform-gateway", "Deployment sp-serving-platform-redis", "Deployment sp-serving-platform-scaler",
            "PodDisruptionBudget sp-serving-platform-controller", "PodDisruptionBudget sp-serving-platform-gateway", "PodDisruptionBudget sp-serving-platform-scaler",
            "Role sp-serving-platform-controller-leader-election", "RoleBinding sp-serving-platform-controller-leader-election",
            "Service sp-serving-platform-gateway", "Service sp-serving-platform-gateway-admin", "Service sp-serving-platform-redis", "Service sp-serving-platform-scaler",
            "ServiceAccount sp-serving-platform-controller", "ServiceAccount sp-serving-platform-gateway", "ServiceAccount sp-serving-platform-redis", "ServiceAccount sp-serving-platform-scaler",
        ], rendered.Objects.Select(o => $"{o["kind"]} {o["metadata"]!["name"]}").Order(StringComparer.Ordinal));
        Assert.All(rendered.Objects.Where(o => o["metadata"]!["namespace"] is not null), o => Assert.Equal("serving-system", (string?)o["metadata"]!["namespace"]));
    }

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public async Task Every_container_has_probes_on_its_ports_resources_and_the_restricted_security_context(string values)
    {
        var rendered = await RenderAsync(values);
        Assert.NotEmpty(rendered.OfKind("Deployment"));
        foreach (var (deployment, container) in rendered.Containers())
        {
            string where = $"{deployment["metadata"]!["name"]}/{container["name"]}";
            var ports = container["ports"]!.AsArray().Select(p => p!.AsObject()).ToList();
            foreach (string probe in new[] { "livenessProbe", "readinessProbe" })
            {
                var check = container[probe]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{where}: no {probe}");
                var port = (check["httpGet"] ?? check["tcpSocket"] ?? check["grpc"])?["port"] ?? throw new Xunit.Sdk.XunitException($"{where}: {probe} checks no port");
                Assert.True(
                    ports.Any(p => JsonNode.DeepEquals(p["name"], port) || JsonNode.DeepEquals(p["containerPort"], port)),
                    $"{where}: {probe} probes port {port}, which the container does not declare");
            }

            var resources = container["resources"]!;
            Assert.NotNull(resources["requests"]?["cpu"]);
            Assert.NotNull(resources["requests"]?["memory"]);
            Assert.NotNull(resources["limits"]?["memory"]);

            var security = container["securityContext"]!;
            Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>(), where);
            Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>(), where);
            Assert.True(security["runAsNonRoot"]!.GetValue<bool>(), where);
            Assert.Equal(["ALL"], security["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
            Assert.Null(security["capabilities"]!["add"]);
            Assert.Equal("RuntimeDefault", (string?)security["seccompProfile"]!["type"]);

            var pod = deployment["spec"]!["template"]!["spec"]!;
            Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>(), where);
            Assert.NotEqual(0, pod["securityContext"]!["runAsUser"]!.GetValue<long>());
            Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
            Assert.Null(pod["hostNetwork"]);
            Assert.DoesNotContain(pod["volumes"]?.AsArray() ?? [], v => v!["hostPath"] is not null);
            Assert.True(rendered.Has("ServiceAccount", (string)pod["serviceAccountName"]!), $"{where}: its ServiceAccount is not rendered");

            // A read-only root needs somewhere to write: every mount is a volume of the pod.
            foreach (var mount in container["volumeMounts"]?.AsArray() ?? [])
            {
                Assert.Contains(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == (string?)mount!["name"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public async Task Services_PDBs_and_the_autoscaler_select_a_Deployment_s_pods_and_their_ports(string values)
    {
        var rendered = await RenderAsync(values);
        foreach (var service in rendered.OfKind("Service"))
        {
            var deployment = Selected(rendered, service["spec"]!["selector"]!.AsObject(), $"Service {service["metadata"]!["name"]}");
            var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
            foreach (var port in service["spec"]!["ports"]!.AsArray())
            {
                Assert.Contains(container["ports"]!.AsArray(), p => JsonNode.DeepEquals(p!["name"], port!["targetPort"]) || JsonNode.DeepEquals(p["containerPort"], port["targetPort"]));
            }
        }

        foreach (var budget in rendered.OfKind("PodDisruptionBudget"))
        {
            var deployment = Selected(rendered, budget["spec"]!["selector"]!["matchLabels"]!.AsObject(), $"PodDisruptionBudget {budget["metadata"]!["name"]}");
            Assert.True((deployment["spec"]!["replicas"]?.GetValue<long>() ?? 2) > budget["spec"]!["minAvailable"]!.GetValue<long>(), "a budget that blocks every eviction");
        }

        foreach (var scaled in rendered.OfKind("ScaledObject"))
        {
            Assert.True(rendered.Has("Deployment", (string)scaled["spec"]!["scaleTargetRef"]!["name"]!));
        }
    }

    [Theory]
    [MemberData(nameof(ValuesFiles))]
    public async Task The_components_addresses_name_the_Services_and_ports_that_exist(string values)
    {
        var rendered = await RenderAsync(values);
        var controller = Container(rendered, "controller");
        var gateway = Container(rendered, "gateway");
        var scaler = Container(rendered, "scaler");

        // The controller writes the scaler's address into every ScaledObject: KEDA must reach the scaler there.
        var scalerService = rendered.Get("Service", $"{Prefix}-scaler");
        int scalerPort = scalerService["spec"]!["ports"]![0]!["port"]!.GetValue<int>();
        Assert.Equal($"{Prefix}-scaler.serving-system.svc:{scalerPort}", Rendered.Arg(controller, "scaler-address"));
        Assert.Equal(Rendered.Arg(scaler, "port"), Port(scaler, "grpc").ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.0.0.0", Rendered.Arg(scaler, "address"));

        // Gateways publish to and the scaler reads from the same Redis and prefix.
        Assert.Equal(Rendered.Arg(gateway, "redis"), Rendered.Arg(scaler, "redis"));
        Assert.Equal(Rendered.Arg(gateway, "redis-prefix"), Rendered.Arg(scaler, "redis-prefix"));
        if (rendered.Has("Service", $"{Prefix}-redis"))
        {
            var redis = rendered.Get("Service", $"{Prefix}-redis");
            Assert.Equal($"{Prefix}-redis.serving-system.svc:{redis["spec"]!["ports"]![0]!["port"]}", Rendered.Arg(gateway, "redis"));
        }

        // Listeners where the probes and Services look.
        Assert.Equal(Port(gateway, "http").ToString(System.Globalization.CultureInfo.InvariantCulture), Rendered.Arg(gateway, "port"));
        Assert.Equal(Port(gateway, "admin").ToString(System.Globalization.CultureInfo.InvariantCulture), Rendered.Arg(gateway, "admin-port"));
        Assert.Equal("0.0.0.0", Rendered.Arg(gateway, "address"));
        Assert.Equal("0.0.0.0", Rendered.Arg(gateway, "admin-address"));
        Assert.Equal(Port(controller, "health").ToString(System.Globalization.CultureInfo.InvariantCulture), Rendered.Arg(controller, "health-port"));
        Assert.Equal("true", Rendered.Arg(gateway, "kubernetes"));

        // Controller and gateway agree on the hosts, and each InferenceService's cluster-local name aliases the gateway's Service.
        Assert.Equal(Rendered.Arg(controller, "domain"), Rendered.Arg(gateway, "domain"));
        Assert.True(rendered.Has("Service", $"{Prefix}-gateway"));
        Assert.Equal($"{Prefix}-gateway.serving-system", Rendered.Arg(controller, "gateway-service"));

        // The Lease the controller elects on is the one its Role names.
        if (Rendered.Arg(controller, "leader-elect") == "true")
        {
            var role = rendered.Get("Role", $"{Prefix}-controller-leader-election");
            Assert.Equal("serving-system", Rendered.Arg(controller, "lease-namespace"));
            Assert.Contains(role["rules"]!.AsArray(), r => r!["resourceNames"]?.AsArray().Any(n => (string?)n == Rendered.Arg(controller, "lease-name")) == true);
        }
    }

    [Theory]
    [InlineData("", "ghcr.io/serving-platform", "0.1.0", "")]
    [InlineData("production.yaml", "registry.example.com:5000/ml/serving", "2.0.1", "-cuda")]
    public async Task Images_come_from_one_registry_repository_and_tag_defaulting_to_the_appVersion(string values, string prefix, string tag, string runtimeSuffix)
    {
        var rendered = await RenderAsync(values);
        foreach (string component in new[] { "controller", "gateway", "scaler" })
        {
            Assert.Equal($"{prefix}/serving-{component}:{tag}", (string?)Container(rendered, component)["image"]);
        }

        if (rendered.Has("ClusterServingRuntime", "serving-onnxruntime"))
        {
            Assert.Equal($"{prefix}/serving-runtime:{tag}{runtimeSuffix}", (string?)rendered.Get("ClusterServingRuntime", "serving-onnxruntime")["spec"]!["containers"]![0]!["image"]);
        }

        string appVersion = File.ReadAllLines(Path.Combine(Chart.Path, "Chart.yaml")).Single(l => l.StartsWith("appVersion:", StringComparison.Ordinal)).Split('"')[1];
        Assert.Equal("0.1.0", appVersion); // the first row's tag is the appVersion: change both together
    }

    [Fact]
    public async Task The_gateway_reads_its_API_keys_Secret_in_the_release_namespace_when_one_is_named()
    {
        var gateway = Container(await Chart.TemplateAsync("--set", "gateway.auth.apiKeysSecret=gateway-api-keys"), "gateway");
        Assert.Equal("serving-system/gateway-api-keys", Rendered.Arg(gateway, "api-keys-secret"));

        Assert.Null(Rendered.Arg(Container(await Chart.TemplateAsync(), "gateway"), "api-keys-secret"));
    }

    [Fact]
    public async Task A_platform_team_s_values_reach_the_objects()
    {
        var rendered = await RenderAsync("production.yaml");
        var controller = Container(rendered, "controller");
        var gateway = Container(rendered, "gateway");
        var scaler = Container(rendered, "scaler");
        Assert.Equal("models", Rendered.Arg(controller, "namespace"));
        Assert.Equal("models", Rendered.Arg(gateway, "namespace"));
        Assert.Equal("models.example.org", Rendered.Arg(controller, "domain"));
        Assert.Equal(["--retire-grace-s", "20"], Rendered.Args(controller).TakeLast(2));
        Assert.Equal("redis.shared.svc:6380", Rendered.Arg(gateway, "redis"));
        Assert.Equal("serving-prod", Rendered.Arg(scaler, "redis-prefix"));
        Assert.False(rendered.Has("Deployment", $"{Prefix}-redis"));
        Assert.Equal("Always", (string?)gateway["imagePullPolicy"]);
        var pod = rendered.Get("Deployment", $"{Prefix}-controller")["spec"]!["template"]!["spec"]!;
        Assert.Equal("registry-credentials", (string?)pod["imagePullSecrets"]![0]!["name"]);
        Assert.Equal("system", (string?)pod["nodeSelector"]!["pool"]);
        Assert.Equal(3, rendered.Get("Deployment", $"{Prefix}-controller")["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("ml-platform", (string?)rendered.Get("Service", $"{Prefix}-gateway")["metadata"]!["labels"]!["team"]);

        // TLS to the scaler from the Secret, client certificates checked against its ca.crt.
        Assert.Equal("/etc/serving-scaler/tls/tls.crt", Rendered.Arg(scaler, "tls-cert"));
        Assert.Equal("/etc/serving-scaler/tls/tls.key", Rendered.Arg(scaler, "tls-key"));
        Assert.Equal("/etc/serving-scaler/tls/ca.crt", Rendered.Arg(scaler, "tls-client-ca"));
        var scalerPod = rendered.Get("Deployment", $"{Prefix}-scaler")["spec"]!["template"]!["spec"]!;
        Assert.Contains(scalerPod["volumes"]!.AsArray(), v => (string?)v!["secret"]?["secretName"] == "scaler-tls");
        Assert.NotNull(scaler["readinessProbe"]!["tcpSocket"]);

        // ... and KEDA asked for TLS, with its client certificate from the ClusterTriggerAuthentication.
        Assert.Equal("true", Rendered.Arg(controller, "scaler-tls"));
        Assert.Equal("ClusterTriggerAuthentication/keda-to-scaler", Rendered.Arg(controller, "scaler-trigger-authentication"));

        var service = rendered.Get("Service", $"{Prefix}-gateway")["spec"]!;
        Assert.Equal("LoadBalancer", (string?)service["type"]);
        Assert.Equal("Local", (string?)service["externalTrafficPolicy"]);
        Assert.Equal(8080, service["ports"]![0]!["port"]!.GetValue<int>());
        Assert.Equal("ClusterIP", (string?)rendered.Get("Service", $"{Prefix}-gateway-admin")["spec"]!["type"]);

        var ingress = rendered.Get("Ingress", $"{Prefix}-gateway")["spec"]!;
        Assert.Equal("nginx", (string?)ingress["ingressClassName"]);
        Assert.Equal(["*.models.models.example.org"], ingress["rules"]!.AsArray().Select(r => (string)r!["host"]!));
        Assert.All(ingress["rules"]!.AsArray(), r => Assert.Equal($"{Prefix}-gateway", (string?)r!["http"]!["paths"]![0]!["backend"]!["service"]!["name"]));
        Assert.Equal("models-tls", (string?)ingress["tls"]![0]!["secretName"]);

        // crds.keep false: helm uninstall deletes the CRDs.
        Assert.All(rendered.OfKind("CustomResourceDefinition"), crd => Assert.Null(crd["metadata"]!["annotations"]));
    }

    [Fact]
    public async Task KEDA_scales_the_gateway_never_below_one_and_Prometheus_scrapes_its_admin_port()
    {
        var rendered = await RenderAsync("keda-and-prometheus.yaml");
        var scaled = rendered.Get("ScaledObject", $"{Prefix}-gateway")["spec"]!;
        Assert.Equal(3, scaled["minReplicaCount"]!.GetValue<int>());
        Assert.Equal(20, scaled["maxReplicaCount"]!.GetValue<int>());
        Assert.Equal("cpu", (string?)scaled["triggers"]![0]!["type"]);
        Assert.Equal("60", (string?)scaled["triggers"]![0]!["metadata"]!["value"]);
        Assert.Null(rendered.Get("Deployment", $"{Prefix}-gateway")["spec"]!["replicas"]); // KEDA's HPA owns it; an upgrade must not reset it
        Assert.True(rendered.Has("PodDisruptionBudget", $"{Prefix}-gateway"));

        var monitor = rendered.Get("ServiceMonitor", $"{Prefix}-gateway");
        Assert.Equal("prometheus", (string?)monitor["metadata"]!["labels"]!["release"]);
        var endpoint = monitor["spec"]!["endpoints"]![0]!;
        Assert.Equal("/metrics", (string?)endpoint["path"]);
        var scraped = rendered.OfKind("Service").Where(s => Matches(monitor["spec"]!["selector"]!["matchLabels"]!.AsObject(), s["metadata"]!["labels"]!.AsObject())
            && s["spec"]!["ports"]!.AsArray().Any(p => JsonNode.DeepEquals(p!["name"], endpoint["port"]))).ToList();
        Assert.Equal([$"{Prefix}-gateway-admin"], scraped.Select(s => (string)s["metadata"]!["name"]!));
    }

    [Fact]
    public async Task One_replica_of_each_has_no_budget_that_would_block_a_drain()
    {
        var rendered = await RenderAsync("minimal.yaml");
        Assert.Empty(rendered.OfKind("PodDisruptionBudget"));
        Assert.Empty(rendered.OfKind("CustomResourceDefinition"));
        Assert.Empty(rendered.OfKind("ClusterServingRuntime"));
        Assert.Equal("false", Rendered.Arg(Container(rendered, "controller"), "leader-elect"));
        Assert.Equal("false", Rendered.Arg(Container(rendered, "controller"), "scaler-tls"));
        Assert.Null(Rendered.Arg(Container(rendered, "controller"), "scaler-trigger-authentication"));
        Assert.Null(Rendered.Arg(Container(rendered, "controller"), "lease-name"));
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(",scaler.tls.triggerAuthentication.kind=TriggerAuthentication,scaler.tls.triggerAuthentication.name=scaler-ca", "TriggerAuthentication/scaler-ca")]
    public async Task Scaler_TLS_asks_KEDA_for_TLS_and_names_the_trigger_authentication_when_one_is_set(string set, string? authentication)
    {
        var rendered = await Chart.TemplateAsync("--set", "scaler.tls.enabled=true,scaler.tls.secretName=scaler-tls" + set);
        var controller = Container(rendered, "controller");
        Assert.Equal("true", Rendered.Arg(controller, "scaler-tls"));
        Assert.Equal(authentication, Rendered.Arg(controller, "scaler-trigger-authentication"));
    }

    [Theory]
    [InlineData("redis.enabled=false", "redis.externalAddress (host:port) is required")]
    [InlineData("scaler.tls.enabled=true", "scaler.tls.enabled needs scaler.tls.secretName")]
    [InlineData("gateway.autoscaling.enabled=true,gateway.autoscaling.minReplicas=0", "minReplicas must be at least 1")]
    [InlineData("scaler.tls.enabled=true,scaler.tls.secretName=s,scaler.tls.clientAuth=true", "scaler.tls.clientAuth needs scaler.tls.triggerAuthentication.name")]
    [InlineData("scaler.tls.triggerAuthentication.kind=Secret", "kind must be TriggerAuthentication or ClusterTriggerAuthentication")]
    public async Task Values_that_cannot_work_are_refused_with_the_reason(string set, string message)
    {
        var result = await Chart.HelmAsync("template", "sp", Chart.Path, "--set", set);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
    }

    private static Task<Rendered> RenderAsync(string values) => values.Length == 0 ? Chart.TemplateAsync() : Chart.TemplateAsync("-f", Chart.Values(values));

    private static JsonObject Container(Rendered rendered, string component) =>
        rendered.Get("Deployment", $"{Prefix}-{component}")["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    private static int Port(JsonObject container, string name) =>
        container["ports"]!.AsArray().Single(p => (string?)p!["name"] == name)!["containerPort"]!.GetValue<int>();

    private static JsonObject Selected(Rendered rendered, JsonObject selector, string what)
    {
        var matched = rendered.OfKind("Deployment").Where(d => Matches(selector, d["spec"]!["template"]!["metadata"]!["labels"]!.AsObject())).ToList();
        Assert.True(matched.Count == 1, $"{what} selects {matched.Count} Deployments' pods");
        Assert.True(JsonNode.DeepEquals(matched[0]["spec"]!["selector"]!["matchLabels"], selector) || Matches(matched[0]["spec"]!["selector"]!["matchLabels"]!.AsObject(), selector));
        return matched[0];
    }

    private static bool Matches(JsonObject selector, JsonObject labels) => selector.All(s => JsonNode.DeepEquals(labels[s.Key], s.Value));
}
