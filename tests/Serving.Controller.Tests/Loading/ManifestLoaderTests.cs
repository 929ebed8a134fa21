using System.Text.Json;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Loading;

namespace Serving.Controller.Tests.Loading;

public sealed class ManifestLoaderTests
{
    [Fact]
    public void Json_is_loaded_and_its_type_errors_have_a_position()
    {
        var good = ManifestLoader.Load(
            """{"apiVersion":"serving.kserve.io/v1beta1","kind":"InferenceService","metadata":{"name":"a"},"spec":{"predictor":{"minReplicas":2}}}""",
            "a.json");
        Assert.Empty(good.Errors);
        Assert.Equal(2, Assert.Single(good.InferenceServices).Spec.Predictor!.MinReplicas);

        var bad = ManifestLoader.Load(
            "{\"apiVersion\":\"serving.kserve.io/v1beta1\",\n\"kind\":\"InferenceService\",\n\"metadata\":{\"name\":\"a\"},\n\"spec\":{\"predictor\":{\"minReplicas\":\"x\"}}}",
            "b.json");
        var error = Assert.Single(bad.Errors);
        Assert.Equal(LoadProblem.Schema, error.Problem);
        Assert.Equal("b.json: document 1: spec.predictor.minReplicas: expected an integer", error.ToString());
    }

    [Fact]
    public void Json_syntax_errors_name_line_and_column()
    {
        var result = ManifestLoader.Load("{\n  \"kind\": \"InferenceService\",\n  oops\n}", "c.json");

        var error = Assert.Single(result.Errors);
        Assert.Equal(LoadProblem.Syntax, error.Problem);
        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Column);
        Assert.StartsWith("c.json:3:3: document 1: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_yaml_flow_mapping_is_not_mistaken_for_broken_json()
    {
        var result = ManifestLoader.Load(
            "{apiVersion: serving.kserve.io/v1beta1, kind: InferenceService, metadata: {name: flow}, spec: {predictor: {minReplicas: 3}}}", "flow.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(3, Assert.Single(result.InferenceServices).Spec.Predictor!.MinReplicas);
    }

    [Fact]
    public void A_missing_file_is_an_io_error_not_an_exception()
    {
        var result = ManifestLoader.LoadFile(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".yaml"));

        Assert.Equal(LoadProblem.Io, Assert.Single(result.Errors).Problem);
    }

    [Fact]
    public void Fields_the_types_do_not_model_survive_a_round_trip()
    {
        const string yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: a, finalizers: [x]}
            spec:
              predictor:
                securityContext: {runAsNonRoot: true}
                model:
                  modelFormat: {name: onnx}
                  livenessProbe: {httpGet: {path: /v2/health/live, port: 8080}}
              futureField: {anything: [1, 2]}
            """;
        var isvc = Assert.Single(ManifestLoader.Load(yaml, "a.yaml").InferenceServices);

        using var json = JsonDocument.Parse(KubeJson.Serialize(isvc));
        var spec = json.RootElement.GetProperty("spec");
        Assert.Equal("x", json.RootElement.GetProperty("metadata").GetProperty("finalizers")[0].GetString());
        Assert.True(spec.GetProperty("predictor").GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        Assert.Equal(8080, spec.GetProperty("predictor").GetProperty("model").GetProperty("livenessProbe").GetProperty("httpGet").GetProperty("port").GetInt32());
        Assert.Equal(2, spec.GetProperty("futureField").GetProperty("anything")[1].GetInt32());
    }

    [Fact]
    public void Both_canary_shapes_load_and_keep_their_shape()
    {
        const string yaml = """
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: list}
            spec:
              predictor: {model: {modelFormat: {name: onnx}}}
              canary:
                - {predictor: {name: v2, model: {modelFormat: {name: onnx}}}, trafficPercent: 10}
            ---
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: object}
            spec:
              predictor: {model: {modelFormat: {name: onnx}}}
              canary:
                predictor: {model: {modelFormat: {name: onnx}, storageUri: s3://b/v2}}
            """;
        var loaded = ManifestLoader.Load(yaml, "a.yaml").InferenceServices.ToList();

        Assert.Equal(10, Assert.Single(loaded[0].Spec.Canary!.Entries!).TrafficPercent);
        Assert.Equal("s3://b/v2", loaded[1].Spec.Canary!.SinglePredictor!.Predictor!.Model!.StorageUri);
        Assert.Contains("\"canary\":[{", KubeJson.Serialize(loaded[0]), StringComparison.Ordinal);
        Assert.Contains("\"canary\":{\"predictor\"", KubeJson.Serialize(loaded[1]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e999")]
    [InlineData("+1e999")]
    [InlineData("-.5e400")]
    [InlineData("1.e999")]
    public void A_number_beyond_a_float64_is_a_schema_error_naming_the_field_not_an_exception(string number)
    {
        // Found by loadtests/fuzz (kserve-yaml): '+1e999' parsed to infinity, which JSON cannot hold (ArgumentException).
        string yaml = $$"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata: {name: a}
            spec:
              predictor: {minReplicas: {{number}}}
            """;

        var error = Assert.Single(ManifestLoader.Load(yaml, "a.yaml").Errors);
        Assert.Equal(LoadProblem.Schema, error.Problem);
        Assert.Contains("spec.predictor.minReplicas: expected an integer", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Alias_bombs_are_refused()
    {
        var yaml = new System.Text.StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++)
        {
            string previous = i == 1 ? "a" : $"a{i - 1}";
            yaml.Append($"a{i}: &a{i} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n");
        }

        var error = Assert.Single(ManifestLoader.Load(yaml.ToString(), "bomb.yaml").Errors);
        Assert.Equal(LoadProblem.Syntax, error.Problem);
    }
}
