using Microsoft.ML.OnnxRuntime;
using Serving.LoadTests.Cli;

namespace Serving.LoadTests.Payloads;

/// <summary>
/// One image per request, shaped for the model under test: the input's name and its shape past the batch dimension come
/// from the model, so the same benchmark drives PP-OCR cls on the CPU and ResNet-50 on a GPU. Pixels come from a
/// seeded generator, normalised to [-1, 1] (<c>(pixel / 255 - 0.5) / 0.5</c>), so every run sends the same bytes.
/// </summary>
internal sealed record ImageInput(string Name, IReadOnlyList<int> RowShape, string OutputName, string OutputShape)
{
    public int Elements => RowShape.Aggregate(1, (a, d) => a * d);

    /// <summary>The request's shape as the report shows it, e.g. <c>[1,3,224,224]</c>.</summary>
    public string Describe(int batch = 1) => $"[{string.Join(',', Shape(batch))}]";

    public long[] Shape(int batch) => [batch, .. RowShape.Select(d => (long)d)];

    /// <summary>
    /// Reads the model's only input, which must be FP32 with a dynamic first dimension (the batch). Dimensions past the
    /// batch that the model leaves dynamic (PP-OCR cls takes any height and width) come from <paramref name="rowShape"/>;
    /// fixed ones come from the model and must agree with it.
    /// </summary>
    public static ImageInput From(InferenceSession session, string modelPath, IReadOnlyList<int> rowShape)
    {
        if (session.InputMetadata.Count != 1)
        {
            throw new BenchmarkException(
                $"{modelPath} has inputs [{string.Join(", ", session.InputMetadata.Keys)}]; the benchmark sends one image input");
        }

        var (name, input) = session.InputMetadata.First();
        int[] dims = input.Dimensions;
        string shape = $"{input.ElementType.Name} [{string.Join(',', dims)}]";
        if (input.ElementType != typeof(float) || dims.Length < 2 || dims[0] >= 0)
        {
            throw new BenchmarkException($"{modelPath}: input '{name}' is {shape}; the benchmark needs FP32 with a dynamic first (batch) dimension");
        }

        int[] row = dims[1..];
        if (row.Length != rowShape.Count || row.Where((d, i) => d > 0 && d != rowShape[i]).Any())
        {
            if (row.Any(d => d <= 0))
            {
                throw new BenchmarkException(
                    $"{modelPath}: input '{name}' is {shape}; --row-shape {string.Join(',', rowShape)} does not fit it (give its dimensions past the batch)");
            }
        }
        else
        {
            row = [.. rowShape];
        }

        var (outputName, output) = session.OutputMetadata.First();
        return new ImageInput(name, row, outputName, $"[{string.Join(',', output.Dimensions.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]");
    }

    public float[] Create(int batch = 1)
    {
        var random = new Random(20240601);
        var one = new float[Elements];
        for (int i = 0; i < one.Length; i++)
        {
            one[i] = (random.Next(256) / 255f - 0.5f) / 0.5f;
        }

        var data = new float[Elements * batch];
        for (int b = 0; b < batch; b++)
        {
            one.CopyTo(data, b * Elements);
        }

        return data;
    }
}
