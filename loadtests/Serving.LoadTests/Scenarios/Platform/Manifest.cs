using System.Globalization;
using System.Text;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>An InferenceService as a scenario writes it into the platform's manifest folder (KServe YAML, unchanged).</summary>
internal sealed record Manifest(string Name, string StorageUri)
{
    public string Mode { get; init; } = "Serverless";

    public int MinReplicas { get; init; } = 1;

    public int MaxReplicas { get; init; } = 3;

    public int? CanaryTrafficPercent { get; init; }

    public int ContainerConcurrency { get; init; }

    public string ProtocolVersion { get; init; } = "v2";

    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    public string Host => $"{Name}.default.example.com";

    public string Yaml()
    {
        var y = new StringBuilder();
        y.AppendLine("apiVersion: serving.kserve.io/v1beta1");
        y.AppendLine("kind: InferenceService");
        y.AppendLine("metadata:");
        y.AppendLine($"  name: {Name}");
        y.AppendLine("  namespace: default");
        y.AppendLine("  annotations:");
        y.AppendLine($"    serving.kserve.io/deploymentMode: {Mode}");
        foreach (var (key, value) in Annotations)
        {
            y.AppendLine($"    {key}: \"{value}\"");
        }

        y.AppendLine("spec:");
        y.AppendLine("  predictor:");
        y.AppendLine($"    minReplicas: {MinReplicas.ToString(CultureInfo.InvariantCulture)}");
        y.AppendLine($"    maxReplicas: {MaxReplicas.ToString(CultureInfo.InvariantCulture)}");
        if (CanaryTrafficPercent is { } percent)
        {
            y.AppendLine($"    canaryTrafficPercent: {percent.ToString(CultureInfo.InvariantCulture)}");
        }

        if (ContainerConcurrency > 0)
        {
            y.AppendLine($"    containerConcurrency: {ContainerConcurrency.ToString(CultureInfo.InvariantCulture)}");
        }

        y.AppendLine("    model:");
        y.AppendLine("      modelFormat:");
        y.AppendLine("        name: onnx");
        y.AppendLine($"      protocolVersion: {ProtocolVersion}");
        y.AppendLine($"      storageUri: file://{StorageUri}");
        if (Args.Count > 0)
        {
            y.AppendLine("      args:");
            foreach (string arg in Args)
            {
                y.AppendLine($"        - {arg}");
            }
        }

        return y.ToString();
    }

    /// <summary>Writes the file whole (a temporary file renamed over it), so the folder watcher never reads half of it.</summary>
    public void WriteTo(string folder)
    {
        string path = Path.Combine(folder, Name + ".yaml");
        File.WriteAllText(path + ".tmp", Yaml());
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
