using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Loading;

namespace Serving.Controller.RuntimeSelection;

/// <summary>The runtimes this platform installs (embedded YAML, the same files the chart ships).</summary>
public static class DefaultRuntimes
{
    /// <summary>The ONNX Runtime server (<c>runtime/</c>): formats onnx (autoSelect), protocols v1 and v2.</summary>
    public const string OnnxRuntimeName = "serving-onnxruntime";

    private static readonly Lazy<IReadOnlyList<ClusterServingRuntime>> Loaded = new(Load);

    public static IReadOnlyList<ClusterServingRuntime> All => Loaded.Value;

    public static ClusterServingRuntime OnnxRuntime => All.Single(r => r.Metadata.Name == OnnxRuntimeName);

    /// <summary>The YAML text of each default runtime, by resource name (for the chart and for <c>kubectl apply</c>).</summary>
    public static IReadOnlyDictionary<string, string> Manifests()
    {
        var assembly = typeof(DefaultRuntimes).Assembly;
        var manifests = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("DefaultRuntimes/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            manifests[resource["DefaultRuntimes/".Length..]] = reader.ReadToEnd();
        }

        return manifests;
    }

    private static IReadOnlyList<ClusterServingRuntime> Load()
    {
        var runtimes = new List<ClusterServingRuntime>();
        foreach (var (name, text) in Manifests())
        {
            var result = ManifestLoader.Load(text, name);
            if (result.Errors.Count > 0)
            {
                throw new InvalidOperationException($"embedded runtime {name} does not load: {result.Errors[0]}");
            }

            runtimes.AddRange(result.ClusterServingRuntimes);
        }

        return runtimes;
    }
}
