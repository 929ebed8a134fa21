using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Defaulting;
using Serving.Controller.Loading;

namespace Serving.Controller.Tests.Defaulting;

public sealed class InferenceServiceDefaulterTests
{
    [Theory]
    [InlineData("onnx", "v2")]
    [InlineData("triton", "v2")]
    [InlineData("huggingface", "v2")]
    [InlineData("sklearn", null)]
    [InlineData("xgboost", null)]
    [InlineData("pytorch", null)]
    [InlineData("tensorflow", null)]
    [InlineData("pmml", null)]
    [InlineData("lightgbm", null)]
    [InlineData("paddle", null)]
    public void A_shortcut_becomes_a_model_of_its_format(string shortcut, string? protocol)
    {
        var isvc = Default($"{{predictor: {{{shortcut}: {{storageUri: s3://b/m, image: custom}}}}}}");

        var predictor = isvc.Spec.Predictor!;
        Assert.Equal(shortcut, predictor.Model!.ModelFormat.Name);
        Assert.Equal(protocol, predictor.Model.ProtocolVersion);
        Assert.Equal("s3://b/m", predictor.Model.StorageUri);
        Assert.Equal("custom", predictor.Model.Image);
        Assert.Equal(["model"], Implementations.Of(predictor));
        Assert.Equal(shortcut, isvc.Metadata.Annotation(Annotations.ModelFormat));
    }

    [Fact]
    public void An_explicit_protocol_is_kept()
    {
        Assert.Equal("v1", Default("{predictor: {onnx: {protocolVersion: v1}}}").Spec.Predictor!.Model!.ProtocolVersion);
    }

    [Theory]
    [InlineData("Serverless", "Knative")]
    [InlineData("Knative", "Knative")]
    [InlineData("RawDeployment", "Standard")]
    [InlineData("Standard", "Standard")]
    public void Mode_spellings_are_normalised(string written, string expected)
    {
        var isvc = Default("{predictor: {model: {modelFormat: {name: onnx}}}}", $"{{serving.kserve.io/deploymentMode: {written}}}");

        Assert.Equal(expected, isvc.Metadata.Annotation(Annotations.DeploymentMode));
    }

    [Fact]
    public void A_missing_mode_is_written_only_for_a_standard_default()
    {
        const string spec = "{predictor: {model: {modelFormat: {name: onnx}}}}";

        Assert.Null(Default(spec).Metadata.Annotation(Annotations.DeploymentMode));
        var standard = new DefaultingOptions { DefaultDeploymentMode = DeploymentModes.LegacyRawDeployment };
        Assert.Equal(DeploymentModes.Standard, Default(spec, options: standard).Metadata.Annotation(Annotations.DeploymentMode));
    }

    [Fact]
    public void Namespace_and_replicas_get_their_defaults_and_the_input_is_not_changed()
    {
        var input = Load("{predictor: {model: {modelFormat: {name: onnx}}}, transformer: {minReplicas: 0, containers: [{image: t}]}}");

        var isvc = InferenceServiceDefaulter.Default(input);

        Assert.Equal("default", isvc.Metadata.Namespace);
        Assert.Equal(1, isvc.Spec.Predictor!.MinReplicas);
        Assert.Equal(0, isvc.Spec.Transformer!.MinReplicas);
        Assert.Null(input.Metadata.Namespace);
        Assert.Null(input.Spec.Predictor!.MinReplicas);
        Assert.Null(input.Spec.Transformer!.Containers![0].Name);
    }

    [Theory]
    [InlineData(null, "Knative", "Knative")]
    [InlineData(null, "Serverless", "Knative")]
    [InlineData(null, null, "Knative")]
    [InlineData(null, "Bogus", "Knative")]
    [InlineData("RawDeployment", "Serverless", "Knative")]
    [InlineData("RawDeployment", null, "Standard")]
    [InlineData("Standard", "Bogus", "Standard")]
    [InlineData("", "RawDeployment", "Standard")]
    public void The_resolved_mode_prefers_a_known_annotation_then_status_then_the_default(string? status, string? annotation, string expected)
    {
        Assert.Equal(expected, DeploymentModes.Resolve(status, annotation, DeploymentModes.LegacyServerless));
    }

    private static InferenceService Default(string spec, string annotations = "{}", DefaultingOptions? options = null) =>
        InferenceServiceDefaulter.Default(Load(spec, annotations), options);

    private static InferenceService Load(string spec, string annotations = "{}") =>
        Assert.Single(ManifestLoader.Load(
            $"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {{name: t, annotations: {annotations}}}\nspec: {spec}\n",
            "t.yaml").InferenceServices);
}
