using System.Globalization;
using Serving.Models.Transforms;

namespace Serving.Models.Cli;

/// <summary><c>serving-models scaler --factors 0.1,0.1,0.1,0.1 --out &lt;model.onnx&gt;</c>: writes a feature scaler.</summary>
internal static class ScalerCommand
{
    private const string Usage = """
        usage: serving-models scaler --factors F1,F2,... --out <model.onnx>
          --factors  one multiplier per feature, e.g. 0.1,0.1,0.1,0.1 (millimetres to centimetres)
          --out      where to write the ONNX model
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? factorsText = null;
        string? outPath = null;
        for (int i = 1; i < args.Length; i += 2)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--factors" when value is not null:
                    factorsText = value;
                    break;
                case "--out" when value is not null:
                    outPath = value;
                    break;
                default:
                    stderr.WriteLine($"unknown option or missing value: '{args[i]}'");
                    stderr.WriteLine(Usage);
                    return IrisCommand.UsageError;
            }
        }

        float[] factors = [];
        bool parsed = factorsText is not null && factorsText.Split(',').All(f => float.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        if (parsed)
        {
            factors = [.. factorsText!.Split(',').Select(f => float.Parse(f, NumberStyles.Float, CultureInfo.InvariantCulture))];
        }

        if (!parsed || outPath is null)
        {
            stderr.WriteLine(outPath is null ? "missing --out" : $"--factors must be comma-separated numbers, not '{factorsText}'");
            stderr.WriteLine(Usage);
            return IrisCommand.UsageError;
        }

        byte[] model = ScalerModel.Build(factors);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllBytes(outPath, model);
        stdout.WriteLine($"wrote {model.Length} bytes to {outPath}");
        return 0;
    }
}
