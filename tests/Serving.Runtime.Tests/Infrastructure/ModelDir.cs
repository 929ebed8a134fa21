namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>A temporary KServe model directory, deleted on dispose.</summary>
internal sealed class ModelDir : IDisposable
{
    public ModelDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "serving-tests", Guid.NewGuid().ToString("N"));

    /// <summary>Writes <paramref name="model"/> at <paramref name="relativePath"/> (e.g. "model.onnx" or "m/1/model.onnx").</summary>
    public ModelDir Add(string relativePath, byte[] model)
    {
        string file = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, model);
        return this;
    }

    /// <summary>Every file under <paramref name="folder"/>, as sorted relative paths.</summary>
    public static string[] Files(string folder) =>
        Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => System.IO.Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal).ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
