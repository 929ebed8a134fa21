using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Defaulting;
using Serving.Controller.RuntimeSelection;
using Serving.Controller.Tests.Infrastructure;
using Serving.Controller.Validation;

namespace Serving.Controller.Tests.Walkthrough;

/// <summary>The walkthrough's manifests, one fact each (the golden files hold the whole picture).</summary>
public sealed class WalkthroughTests
{
    [Fact]
    public void Sklearn_iris_gets_NoSupportingRuntime_naming_sklearn()
    {
        var isvc = InferenceServiceDefaulter.Default(Manifests.Isvc("Walkthrough", "sklearn-iris"));
        Assert.Empty(InferenceServiceValidator.Validate(isvc));

        var selection = RuntimeSelector.Select(isvc, RuntimeCatalog.Defaults);

        Assert.Equal(RuntimeSelectionOutcome.Failed, selection.Outcome);
        Assert.Equal(FailureReasons.NoSupportingRuntime, selection.Failure!.Reason);
        Assert.Contains("model type: sklearn", selection.Failure.Error, StringComparison.Ordinal);
        var status = RuntimeSelector.Apply(isvc, selection).Status!.ModelStatus!;
        Assert.Equal(TransitionStatuses.InvalidSpec, status.TransitionStatus);
        Assert.Equal(ModelStates.FailedToLoad, status.States!.TargetModelState);
        Assert.Equal(FailureReasons.NoSupportingRuntime, status.LastFailureInfo!.Reason);
    }

    [Fact]
    public void The_same_with_an_onnx_model_runs_on_the_platform_runtime()
    {
        var isvc = InferenceServiceDefaulter.Default(Manifests.Isvc("Walkthrough", "sklearn-iris-onnx"));
        Assert.Empty(InferenceServiceValidator.Validate(isvc));

        var selection = RuntimeSelector.Select(isvc, RuntimeCatalog.Defaults);

        Assert.Equal(DefaultRuntimes.OnnxRuntimeName, selection.Runtime!.Name);
        Assert.Equal(RuntimeScope.Cluster, selection.Runtime.Scope);
        Assert.Equal("kserve-mlserver", selection.Runtime.Replaces);
        var applied = RuntimeSelector.Apply(isvc, selection);
        Assert.Equal(DefaultRuntimes.OnnxRuntimeName, applied.Spec.Predictor!.Model!.Runtime);
        Assert.Equal(DefaultRuntimes.OnnxRuntimeName, applied.Status!.ClusterServingRuntimeName);
        Assert.Equal(ProtocolVersions.V1, applied.Spec.Predictor.Model.ProtocolVersion);
    }

    [Fact]
    public void Fraud_score_is_refused_for_its_alibi_explainer_and_its_mode_is_normalised()
    {
        var isvc = InferenceServiceDefaulter.Default(Manifests.Isvc("Walkthrough", "fraud-score"));

        Assert.Equal(DeploymentModes.Knative, isvc.Metadata.Annotation(Annotations.DeploymentMode));
        var errors = InferenceServiceValidator.Validate(isvc);
        Assert.Equal(
            ["exactly one of [ART, PodSpec, ComponentExtensionSpec] must be specified in ExplainerSpec"],
            errors.Where(e => e.StartsWith("exactly one", StringComparison.Ordinal)));
        Assert.Equal(
            ["spec.explainer.alibi: not supported: KServe removed the Alibi explainer in v0.13; use spec.explainer.art or a custom explainer in spec.explainer.containers"],
            UnknownFields.Find(isvc));
    }

    [Fact]
    public void Fraud_score_with_onnx_is_valid_and_its_transformer_is_the_kserve_container()
    {
        var isvc = InferenceServiceDefaulter.Default(Manifests.Isvc("Walkthrough", "fraud-score-onnx"));

        Assert.Empty(InferenceServiceValidator.Validate(isvc));
        Assert.Equal(ContainerNames.KServeContainer, isvc.Spec.Transformer!.Containers![0].Name);
        Assert.Equal(RuntimeSelectionOutcome.Selected, RuntimeSelector.Select(isvc, RuntimeCatalog.Defaults).Outcome);
    }

    [Fact]
    public void The_walkthrough_canary_form_is_refused_with_what_to_write_instead()
    {
        var errors = InferenceServiceValidator.Validate(InferenceServiceDefaulter.Default(Manifests.Isvc("Walkthrough", "canary")));

        var error = Assert.Single(errors);
        Assert.Contains("spec.predictor.canaryTrafficPercent", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_classic_canary_form_is_valid()
    {
        var isvc = InferenceServiceDefaulter.Default(Manifests.Isvc("Walkthrough", "canary-classic"));

        Assert.Empty(InferenceServiceValidator.Validate(isvc));
        Assert.Equal(10, isvc.Spec.Predictor!.CanaryTrafficPercent);
    }

    [Theory]
    [InlineData("serverless", DeploymentModes.Knative)]
    [InlineData("knative", DeploymentModes.Knative)]
    [InlineData("raw-deployment", DeploymentModes.Standard)]
    [InlineData("standard", DeploymentModes.Standard)]
    public void Both_mode_spellings_are_accepted_and_normalised(string name, string mode)
    {
        var isvc = InferenceServiceDefaulter.Default(Manifests.Isvc("Walkthrough", "deployment-modes", name));

        Assert.Empty(InferenceServiceValidator.Validate(isvc));
        Assert.Equal(mode, isvc.Metadata.Annotation(Annotations.DeploymentMode));
        Assert.Equal(mode, DeploymentModes.Resolve(null, isvc.Metadata.Annotation(Annotations.DeploymentMode), DeploymentModes.Knative));
    }

    [Fact]
    public void Switching_mode_against_the_recorded_status_is_accepted_and_the_annotation_decides_the_mode()
    {
        var original = Manifests.Isvc("Walkthrough", "mode-switch", "sklearn-iris");

        var errors = InferenceServiceValidator.ValidateUpdate(InferenceServiceDefaulter.Default(original), original);

        Assert.Empty(errors);
        Assert.Equal(
            DeploymentModes.Standard,
            DeploymentModes.Resolve(original.Status?.DeploymentMode, original.Metadata.Annotation(Annotations.DeploymentMode), DeploymentModes.Knative));
    }

    [Fact]
    public void The_graph_is_valid()
    {
        Assert.Empty(InferenceGraphValidator.Validate(InferenceGraphDefaulter.Default(Manifests.Graph("Walkthrough", "graph"))));
    }
}
