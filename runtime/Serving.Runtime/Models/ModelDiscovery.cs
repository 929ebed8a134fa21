using System.Globalization;

namespace Serving.Runtime.Models;

/// <summary>
/// Finds models in a KServe model directory: <c>model.onnx</c> (served as the configured name),
/// <c>&lt;model&gt;/model.onnx</c>, or <c>&lt;model&gt;/&lt;version&gt;/model.onnx</c> (Triton's repository layout).
/// A folder holding exactly one <c>*.onnx</c> file counts as holding <c>model.onnx</c>, since KServe's
/// storage initializer keeps a downloaded file's own name.
/// </summary>
public static class ModelDiscovery
{
    public const string DefaultModelName = "model";

    /// <param name="modelVersion">The version a bare <c>model.onnx</c> is served as (null: unversioned); folders name their own.</param>
    public static IReadOnlyList<ModelLocation> Discover(string modelDir, string? modelName, string? modelVersion = null)
    {
        if (!Directory.Exists(modelDir))
        {
            throw new ModelDiscoveryException($"model directory '{modelDir}' does not exist");
        }

        if (FindModelFile(modelDir) is { } flat)
        {
            return [new ModelLocation(modelName ?? DefaultModelName, modelVersion, flat)];
        }

        var found = new List<ModelLocation>();
        foreach (string modelFolder in Directory.GetDirectories(modelDir).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(modelFolder);
            if (FindModelFile(modelFolder) is { } unversioned)
            {
                found.Add(new ModelLocation(name, null, unversioned));
                continue;
            }

            foreach (string versionFolder in Directory.GetDirectories(modelFolder))
            {
                string version = Path.GetFileName(versionFolder);
                if (IsVersion(version) && FindModelFile(versionFolder) is { } versioned)
                {
                    found.Add(new ModelLocation(name, version, versioned));
                }
            }
        }

        if (found.Count == 0)
        {
            throw new ModelDiscoveryException(
                $"no ONNX model found in '{modelDir}' (expected model.onnx, <model>/model.onnx or <model>/<version>/model.onnx)");
        }

        return found;
    }

    private static bool IsVersion(string folder) =>
        long.TryParse(folder, NumberStyles.None, CultureInfo.InvariantCulture, out long version) && version > 0;

    private static string? FindModelFile(string folder)
    {
        string standard = Path.Combine(folder, "model.onnx");
        if (File.Exists(standard))
        {
            return standard;
        }

        string[] onnx = Directory.GetFiles(folder, "*.onnx");
        return onnx.Length == 1 ? onnx[0] : null;
    }
}

public sealed class ModelDiscoveryException(string message) : Exception(message);
