namespace Serving.Controller.Kubernetes.Tests.Infrastructure;

/// <summary>The lab's InferenceService adapted to ONNX, its model on the claim <c>models</c>.</summary>
internal static class Manifests
{
    /// <param name="extra">Lines under <c>predictor:</c>, indented by four spaces.</param>
    /// <param name="annotations">More annotation lines, indented by four spaces.</param>
    public static string Iris(string name, string mode, int minReplicas, string version = "1", string extra = "", string annotations = "") => $"""
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
              args: ["--model_version={version}"]
        """;
}
