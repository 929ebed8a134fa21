namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>The lab's manifests: its InferenceService adapted to ONNX (its model on the claim <c>models</c>), and the walkthrough's sklearn one.</summary>
internal static class Manifests
{
    /// <summary>The walkthrough's <c>sklearn-iris</c>, which no installed runtime serves (<c>NoSupportingRuntime</c>).</summary>
    public const string SklearnIris = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: sklearn-iris
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
              runtime: kserve-mlserver
              storageUri: gs://kfserving-examples/models/sklearn/1.0/model
              resources:
                requests: {cpu: "250m", memory: "512Mi"}
                limits: {cpu: "1", memory: "1Gi"}
        """;

    /// <param name="extra">Lines under <c>predictor:</c>, indented by four spaces.</param>
    /// <param name="annotations">More annotation lines, indented by four spaces.</param>
    public static string Iris(string name, string mode, int minReplicas, string version = "1", string extra = "", string annotations = "", string runtimeArgs = "") => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: {name}
          annotations:
            serving.kserve.io/deploymentMode: {mode}
        {annotations}
        spec:
          predictor:
            minReplicas: {minReplicas}
        {extra}
            model:
              modelFormat:
                name: onnx
              storageUri: pvc://models
              args: ["--model_version={version}"{runtimeArgs}]
        """;
}
