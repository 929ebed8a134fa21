using Serving.Controller.Api;
using Serving.Controller.Loading;
using Serving.Controller.RuntimeSelection;
using Serving.Controller.Validation;

namespace Serving.Controller.Tests.Validation;

/// <summary>Strict field validation: typos are named with the field meant; what KServe's schema accepts is kept.</summary>
public sealed class UnknownFieldsTests
{
    [Theory]
    [InlineData("predictor: {model: {modelFormat: {name: onnx}, stoargeUri: file://m}}", "spec.predictor.model.stoargeUri: unknown field; did you mean storageUri?")]
    [InlineData("predictor: {minReplica: 0, model: {modelFormat: {name: onnx}, storageUri: file://m}}", "spec.predictor.minReplica: unknown field; did you mean minReplicas?")]
    [InlineData("predictr: {model: {modelFormat: {name: onnx}, storageUri: file://m}}", "spec.predictr: unknown field; did you mean predictor?")]
    [InlineData("predictor: {model: {modelFormat: {nmae: onnx}, storageUri: file://m}}", "spec.predictor.model.modelFormat.nmae: unknown field; did you mean name?")]
    [InlineData("predictor: {containers: [{name: c, image: i, imagePullPolcy: Always}]}", "spec.predictor.containers[0].imagePullPolcy: unknown field; did you mean imagePullPolicy?")]
    [InlineData("predictor: {containers: [{name: c, image: i, readinesProbe: {}}]}", "spec.predictor.containers[0].readinesProbe: unknown field; did you mean readinessProbe?")]
    [InlineData("predictor: {model: {modelFormat: {name: onnx}, storageUri: file://m}, toleration: []}", "spec.predictor.toleration: unknown field; did you mean tolerations?")]
    [InlineData("predictor: {model: {modelFormat: {name: onnx}, storageUri: file://m}, wibble: 1}", "spec.predictor.wibble: unknown field")]
    public void A_typo_in_an_InferenceService_is_named_with_the_field_meant(string spec, string expected)
    {
        Assert.Equal([expected], UnknownFields.Find(Isvc(spec)));
    }

    [Fact]
    public void A_typo_in_metadata_is_named_too()
    {
        var isvc = Load("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: a, anotations: {x: y}}\nspec: {predictor: {model: {modelFormat: {name: onnx}, storageUri: file://m}}}\n");
        Assert.Equal(["metadata.anotations: unknown field; did you mean annotations?"], UnknownFields.Find(isvc));
    }

    [Fact]
    public void Kubernetes_fields_the_types_do_not_model_are_accepted_and_free_form_values_are_not_looked_into()
    {
        var isvc = Isvc("""
            predictor:
              minReplicas: 1
              securityContext: {runAsNonRoot: true, anyThing: 1}
              priorityClassName: high
              nodeSelector: {any-key: any-value}
              affinity: {nodeAffinity: {whatever: [1, 2]}}
              model:
                modelFormat: {name: onnx}
                storageUri: file://m
                volumeMounts: [{name: v, mountPath: /v}]
                livenessProbe: {httpGet: {path: /, port: 8080}}
                securityContext: {readOnlyRootFilesystem: true}
                env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]
                resources: {requests: {cpu: "1"}, claims: [{name: gpu}]}
                ports: [{containerPort: 8080, hostPort: 80}]
            """);
        Assert.Empty(UnknownFields.Find(isvc));
    }

    [Fact]
    public void Both_canary_shapes_are_walked()
    {
        Assert.Equal(
            ["spec.canary[0].trafficPercnt: unknown field; did you mean trafficPercent?"],
            UnknownFields.Find(Isvc("predictor: {model: {modelFormat: {name: onnx}, storageUri: file://m}}\ncanary: [{predictor: {name: b}, trafficPercnt: 10}]")));
        Assert.Equal(
            ["spec.canary.predictor.model.storageUrl: unknown field; did you mean storageUri?"],
            UnknownFields.Find(Isvc("predictor: {model: {modelFormat: {name: onnx}, storageUri: file://m}}\ncanary: {predictor: {model: {modelFormat: {name: onnx}, storageUrl: x}}}")));
    }

    [Fact]
    public void Graphs_and_runtimes_are_checked()
    {
        var graph = Load("apiVersion: serving.kserve.io/v1alpha1\nkind: InferenceGraph\nmetadata: {name: g}\nspec: {nodes: {root: {routerType: Sequence, steps: [{serviceName: a, weigth: 1}]}}}\n");
        Assert.Equal(["spec.nodes.root.steps[0].weigth: unknown field; did you mean weight?"], UnknownFields.Find(graph));

        var runtime = Load("apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nmetadata: {name: r}\nspec: {supportedModelFormat: [{name: onnx}], containers: [{name: c, image: i}]}\n");
        Assert.Equal(["spec.supportedModelFormat: unknown field; did you mean supportedModelFormats?"], UnknownFields.Find(runtime));
    }

    [Fact]
    public void Status_is_the_controller_s_and_is_not_checked()
    {
        var isvc = Load("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: a}\nspec: {predictor: {model: {modelFormat: {name: onnx}, storageUri: file://m}}}\nstatus: {whatever: 1}\n");
        Assert.Empty(UnknownFields.Find(isvc));
    }

    [Fact]
    public void Admission_refuses_an_object_with_a_typo_and_says_so_first()
    {
        var admitted = Admission.Admission.Admit(Isvc("predictor: {model: {modelFormat: {name: onnx}, stoargeUri: file://m}}"), RuntimeCatalog.Defaults);
        Assert.False(admitted.Accepted);
        Assert.Equal("spec.predictor.model.stoargeUri: unknown field; did you mean storageUri?", admitted.Errors[0]);
    }

    [Theory]
    [InlineData("storageUri", "storageUri", 0)]
    [InlineData("stoargeUri", "storageUri", 1)]
    [InlineData("minReplica", "minReplicas", 1)]
    [InlineData("abc", "xyz", 3)]
    public void Edit_distance_counts_swaps_as_one(string a, string b, int expected)
    {
        Assert.Equal(expected, Spelling.Distance(a, b));
    }

    private static IKubeObject Isvc(string spec) =>
        Load($"apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {{name: a}}\nspec:\n{string.Join('\n', spec.Split('\n').Select(l => "  " + l))}\n");

    private static IKubeObject Load(string yaml)
    {
        var result = ManifestLoader.Load(yaml, "t.yaml");
        Assert.Empty(result.Errors);
        return Assert.Single(result.Objects).Object;
    }
}
