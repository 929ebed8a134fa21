namespace Serving.LoadTests.ColdStart;

/// <summary>One InferenceService of the benchmark: iris at zero, with the runtime environment under test.</summary>
internal sealed record Variant(string Service, string Label, IReadOnlyDictionary<string, string> Env)
{
    public string Host => $"{Service}.default.example.com";

    /// <summary>Serverless, scale to zero after Knative's shortest window (6 s) and the benchmark's 1 s grace.</summary>
    public string Manifest()
    {
        string env = Env.Count == 0 ? "" : "\n      env:" + string.Concat(Env.Select(e => $"\n        - name: {e.Key}\n          value: \"{e.Value}\""));
        return $"""
            apiVersion: serving.kserve.io/v1beta1
            kind: InferenceService
            metadata:
              name: {Service}
              annotations:
                autoscaling.knative.dev/window: "6s"
            spec:
              predictor:
                minReplicas: 0
                maxReplicas: 1
                model:
                  modelFormat:
                    name: onnx
                  storageUri: file://models/iris{env}
            """;
    }
}
