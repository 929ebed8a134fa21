using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Defaulting;
using Serving.Controller.Loading;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Tests.RuntimeSelection;

public sealed class RuntimeSelectorTests
{
    [Fact]
    public void The_default_runtime_is_the_platform_onnx_server()
    {
        var runtime = DefaultRuntimes.OnnxRuntime;

        var container = Assert.Single(runtime.Spec.Containers!);
        Assert.Equal(ContainerNames.KServeContainer, container.Name);
        Assert.Equal(["--model_name={{.Name}}", "--model_dir=/mnt/models", "--http_port=8080", "--host=0.0.0.0"], container.Args);
        Assert.Equal(["v1", "v2"], runtime.Spec.ProtocolVersions);
        Assert.All(runtime.Spec.SupportedModelFormats!, f => Assert.True(f.Name == "onnx" && f.IsAutoSelect));
        Assert.Contains(DefaultRuntimes.OnnxRuntimeName + ".yaml", DefaultRuntimes.Manifests().Keys);
    }

    [Fact]
    public void A_namespaced_runtime_wins_over_a_cluster_runtime_with_a_higher_priority()
    {
        var catalog = new RuntimeCatalog([Namespaced("team-rt", "team", priority: null)], [Cluster("cluster-rt", priority: 9)]);

        var selection = RuntimeSelector.Select(Isvc("team", "{modelFormat: {name: onnx}}"), catalog);

        Assert.Equal(("team-rt", RuntimeScope.Namespaced), (selection.Runtime!.Name, selection.Runtime.Scope));
    }

    [Fact]
    public void Priority_orders_runtimes_of_one_scope()
    {
        var catalog = new RuntimeCatalog([], [Cluster("none", priority: null), Cluster("low", priority: 1), Cluster("high", priority: 2)]);

        Assert.Equal("high", RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}}"), catalog).Runtime!.Name);
    }

    [Fact]
    public void Disabled_runtimes_are_skipped_and_an_explicit_one_is_reported()
    {
        var catalog = new RuntimeCatalog([], [Cluster("off", priority: 5, disabled: true), Cluster("on", priority: null)]);

        Assert.Equal("on", RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}}"), catalog).Runtime!.Name);
        var named = RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}, runtime: off}"), catalog);
        Assert.Equal((FailureReasons.RuntimeDisabled, "specified runtime off is disabled"), (named.Failure!.Reason, named.Failure.Error));
    }

    [Fact]
    public void Explicit_runtime_must_support_the_format_even_without_auto_select()
    {
        var catalog = new RuntimeCatalog([], [Cluster("manual", priority: null, autoSelect: false)]);

        Assert.Equal(RuntimeSelectionOutcome.Failed, RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}}"), catalog).Outcome);
        Assert.Equal("manual", RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}, runtime: manual}"), catalog).Runtime!.Name);
        var wrong = RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: sklearn}, runtime: manual}"), catalog);
        Assert.Equal(FailureReasons.NoSupportingRuntime, wrong.Failure!.Reason);
        Assert.Equal("Specified runtime does not support specified framework/version", wrong.Failure.Message);
    }

    [Fact]
    public void An_unknown_runtime_name_is_not_recognized_unless_it_is_a_kserve_builtin()
    {
        var unknown = RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}, runtime: my-rt}"), RuntimeCatalog.Defaults);
        Assert.Equal(FailureReasons.RuntimeNotRecognized, unknown.Failure!.Reason);
        Assert.Equal("No ServingRuntimes or ClusterServingRuntimes with the name: my-rt", unknown.Failure.Error);

        var builtin = RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}, runtime: kserve-tritonserver}"), RuntimeCatalog.Defaults);
        Assert.Equal(DefaultRuntimes.OnnxRuntimeName, builtin.Runtime!.Name);

        var strict = RuntimeSelector.Select(
            Isvc("ns", "{modelFormat: {name: onnx}, runtime: kserve-tritonserver}"), RuntimeCatalog.Defaults, new RuntimeSelectionOptions { ReplaceMissingKServeRuntimes = false });
        Assert.Equal(FailureReasons.RuntimeNotRecognized, strict.Failure!.Reason);
    }

    [Fact]
    public void A_model_version_matches_only_the_identical_version_string()
    {
        var catalog = new RuntimeCatalog([], [Cluster("v1", priority: null, version: "1")]);

        Assert.NotNull(RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx, version: \"1\"}}"), catalog).Runtime);
        Assert.NotNull(RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}}"), catalog).Runtime);
        Assert.Null(RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx, version: \"1.0\"}}"), catalog).Runtime);
    }

    [Fact]
    public void A_protocol_must_be_offered_and_a_missing_one_is_taken_from_the_runtime()
    {
        var catalog = new RuntimeCatalog([], [Cluster("v2-only", priority: null, protocols: ["grpc-v2", "v2"])]);

        Assert.Null(RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}}"), catalog).Runtime);
        var selection = RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}, protocolVersion: v2}"), catalog);
        Assert.Equal("v2", selection.Runtime!.ProtocolVersion);
        var named = RuntimeSelector.Select(Isvc("ns", "{modelFormat: {name: onnx}, runtime: v2-only}"), catalog);
        Assert.Equal("v2", named.Runtime!.ProtocolVersion);
    }

    [Fact]
    public void A_custom_container_needs_no_runtime()
    {
        var isvc = Load("ns", "{predictor: {containers: [{name: kserve-container, image: x}]}}");

        Assert.Equal(RuntimeSelectionOutcome.NotRequired, RuntimeSelector.Select(isvc, RuntimeCatalog.Defaults).Outcome);
        Assert.Same(isvc, RuntimeSelector.Apply(isvc, RuntimeSelectionResult.NotRequired));
    }

    private static InferenceService Isvc(string ns, string model) => Load(ns, $"{{predictor: {{model: {model}}}}}");

    private static InferenceService Load(string ns, string spec) => InferenceServiceDefaulter.Default(Assert.Single(ManifestLoader.Load(
        $"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {{name: m, namespace: {ns}}}\nspec: {spec}\n", "m.yaml").InferenceServices));

    private static ServingRuntime Namespaced(string name, string ns, int? priority) => new()
    {
        Metadata = new() { Name = name, Namespace = ns },
        Spec = Spec(priority, autoSelect: true, disabled: false, version: null, protocols: null),
    };

    private static ClusterServingRuntime Cluster(
        string name, int? priority, bool autoSelect = true, bool disabled = false, string? version = null, string[]? protocols = null) => new()
    {
        Metadata = new() { Name = name },
        Spec = Spec(priority, autoSelect, disabled, version, protocols),
    };

    private static ServingRuntimeSpec Spec(int? priority, bool autoSelect, bool disabled, string? version, string[]? protocols) => new()
    {
        SupportedModelFormats = [new SupportedModelFormat { Name = "onnx", Version = version, AutoSelect = autoSelect, Priority = priority }],
        ProtocolVersions = protocols,
        Disabled = disabled,
        Containers = [new() { Name = ContainerNames.KServeContainer, Image = "x" }],
    };
}
