using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Defaulting;
using Serving.Controller.Loading;
using Serving.Controller.Validation;

namespace Serving.Controller.Tests.Validation;

/// <summary>KServe's messages, verbatim, for the rules most manifests meet.</summary>
public sealed class InferenceServiceValidatorTests
{
    private const string Onnx = "predictor: {model: {modelFormat: {name: onnx}}}";

    [Fact]
    public void A_valid_service_has_no_errors()
    {
        Assert.Empty(Validate("ok", "{}", "{" + Onnx + "}"));
    }

    [Fact]
    public void Name_format_uses_KServe_wording()
    {
        Assert.Equal(
            ["the InferenceService \"Iris\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"],
            Validate("Iris", "{}", "{" + Onnx + "}"));
    }

    [Fact]
    public void Exactly_one_predictor_implementation()
    {
        Assert.Equal(
            ["exactly one of [Name, SKLearn, XGBoost, Tensorflow, PyTorch, Triton, ONNX, HuggingFace, PMML, LightGBM, Paddle, Model, StorageUris, StorageContainerName, WorkerSpec, PodSpec] must be specified in PredictorSpec"],
            Validate("a", "{}", "{predictor: {minReplicas: 1}}"));
    }

    [Theory]
    [InlineData("{minReplicas: -1}", "'MinReplicas' cannot be less than 0")]
    [InlineData("{maxReplicas: -1}", "'MaxReplicas' cannot be less than 0")]
    [InlineData("{minReplicas: 3, maxReplicas: 2}", "'MinReplicas' cannot be greater than MaxReplicas")]
    [InlineData("{containerConcurrency: -1}", "parallelism cannot be less than 0")]
    [InlineData("{canaryTrafficPercent: 101}", "expected 0 <= 101 <= 100: spec.predictor.canaryTrafficPercent")]
    [InlineData("{canaryTrafficPercent: -5}", "expected 0 <= -5 <= 100: spec.predictor.canaryTrafficPercent")]
    public void Component_extension_bounds(string extension, string error)
    {
        string spec = "{predictor: " + extension.TrimEnd('}') + ", model: {modelFormat: {name: onnx}}}}";

        Assert.Equal([error], Validate("a", "{}", spec));
    }

    [Theory]
    [InlineData("{minReplicas: 0, maxReplicas: 0}")]
    [InlineData("{minReplicas: 2, maxReplicas: 2}")]
    [InlineData("{containerConcurrency: 0, canaryTrafficPercent: 0}")]
    [InlineData("{canaryTrafficPercent: 100}")]
    public void Component_extension_edges_are_valid(string extension)
    {
        string spec = "{predictor: " + extension.TrimEnd('}') + ", model: {modelFormat: {name: onnx}}}}";

        Assert.Empty(Validate("a", "{}", spec));
    }

    [Theory]
    [InlineData("Serverless", "concurrency", null)]
    [InlineData("Serverless", "rps", null)]
    [InlineData("Serverless", "cpu", "[cpu] is not a supported metric")]
    [InlineData("Serverless", "memory", "[memory] is not a supported metric")]
    [InlineData("Knative", "cpu", "[cpu] is not a supported metric")]
    [InlineData("RawDeployment", "cpu", null)]
    [InlineData("RawDeployment", "concurrency", null)]
    [InlineData("Standard", "memory", null)]
    public void Scale_metric_per_mode(string mode, string metric, string? error)
    {
        var errors = Validate("a", $"{{serving.kserve.io/deploymentMode: {mode}}}", $"{{predictor: {{scaleMetric: {metric}, model: {{modelFormat: {{name: onnx}}}}}}}}");

        Assert.Equal(error is null ? [] : [error], errors);
    }

    [Theory]
    [InlineData("s3://bucket/model", true)]
    [InlineData("gs://bucket/model", true)]
    [InlineData("pvc://claim/path", true)]
    [InlineData("hf://org/model", true)]
    [InlineData("oci+native://registry/model", true)]
    [InlineData("https://example.com/model.onnx", true)]
    [InlineData("https://acct.blob.core.windows.net/container/model", true)]
    [InlineData("/mnt/local/model", true)]
    [InlineData("models/iris", true)]
    [InlineData("ftp://host/model", false)]
    [InlineData("https://acct.blob.core.windows.net/", false)]
    public void Storage_uri_schemes(string uri, bool valid)
    {
        var errors = Validate("a", "{}", $"{{predictor: {{model: {{modelFormat: {{name: onnx}}, storageUri: \"{uri}\"}}}}}}");

        if (valid)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal(
                [$"storageUri, must be one of: [gs://, s3://, pvc://, file://, https://, http://, hdfs://, webhdfs://, oci://, oci+native://, oci+fetch://, hf://] or match https://{{}}.blob.core.windows.net/{{}}/{{}} or be an absolute or relative local path. StorageUri [{uri}] is not supported"],
                errors);
        }
    }

    [Fact]
    public void Autoscaler_class_must_be_known()
    {
        Assert.Equal(["[kpa] is not a supported autoscaler class type"], Validate("a", "{serving.kserve.io/autoscalerClass: kpa}", "{" + Onnx + "}"));
        Assert.Empty(Validate("a", "{serving.kserve.io/autoscalerClass: none}", "{" + Onnx + "}"));
    }

    [Fact]
    public void Every_error_is_returned_not_only_the_first()
    {
        var errors = Validate("Bad", "{serving.kserve.io/autoscalerClass: x}", "{predictor: {minReplicas: -1, containerConcurrency: -1, model: {modelFormat: {name: onnx}}}}");

        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void Deployment_mode_changes_are_accepted_as_a_rollout_unlike_kserve()
    {
        var stored = Load("a", "{serving.kserve.io/deploymentMode: Serverless}", "{" + Onnx + "}") with
        {
            Status = new InferenceServiceStatus { DeploymentMode = "Serverless" },
        };
        var toRaw = InferenceServiceDefaulter.Default(Load("a", "{serving.kserve.io/deploymentMode: RawDeployment}", "{" + Onnx + "}"));
        var toKnative = InferenceServiceDefaulter.Default(Load("a", "{serving.kserve.io/deploymentMode: Knative}", "{" + Onnx + "}"));
        var notReconciled = stored with { Status = null };

        Assert.Empty(InferenceServiceValidator.ValidateUpdate(toRaw, stored));
        Assert.Empty(InferenceServiceValidator.ValidateUpdate(toKnative, stored));
        Assert.Empty(InferenceServiceValidator.ValidateUpdate(toRaw, notReconciled));
    }

    [Fact]
    public void Renaming_the_predictor_needs_a_model_change()
    {
        var before = Load("a", "{}", "{predictor: {name: blue, model: {modelFormat: {name: onnx}, storageUri: s3://b/v1}}}");
        var sameModel = Load("a", "{}", "{predictor: {name: green, model: {modelFormat: {name: onnx}, storageUri: s3://b/v1}}}");
        var newModel = Load("a", "{}", "{predictor: {name: green, model: {modelFormat: {name: onnx}, storageUri: s3://b/v2}}}");

        Assert.Equal(["predictor.name change requires a model change (e.g. storageUri)"], InferenceServiceValidator.ValidateUpdate(sameModel, before));
        Assert.Empty(InferenceServiceValidator.ValidateUpdate(newModel, before));
    }

    private static IReadOnlyList<string> Validate(string name, string annotations, string spec) =>
        InferenceServiceValidator.Validate(InferenceServiceDefaulter.Default(Load(name, annotations, spec)));

    private static InferenceService Load(string name, string annotations, string spec)
    {
        var result = ManifestLoader.Load(
            $"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {{name: {name}, annotations: {annotations}}}\nspec: {spec}\n", "t.yaml");
        Assert.Empty(result.Errors);
        return Assert.Single(result.InferenceServices);
    }
}
