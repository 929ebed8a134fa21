using Serving.Models.Onnx;

namespace Serving.LoadTests.Scenarios.Platform;

/// <summary>
/// A model that only costs CPU: iris's input (<c>float_input</c>, [batch, 4] FP32), then <see cref="Layers"/> dense
/// layers of <see cref="Width"/>² weights (one weight matrix, reused, so the file stays small), then one score per row.
/// Scenarios that need a capacity worth overloading use it: iris answers in microseconds, so a client on this
/// machine could not send ten times what one replica serves. Written with the project's ONNX writer; nothing to fetch.
/// </summary>
internal static class BusyModel
{
    public const int Width = 512;
    public const int Layers = 96;

    /// <summary>
    /// Writes the model under the scenario's models folder and returns its InferenceService: one thread per request and
    /// batching off, so that one request costs one core for a fixed time.
    /// </summary>
    public static Manifest Install(PlatformFolders folders)
    {
        Write(Path.Combine(folders.Models, "busy"));
        return new Manifest("busy", "models/busy") { Args = ["--max_batch_size=1", "--intra_op_threads=1"] };
    }

    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(16);
        float[] Weights(int rows, int columns) =>
            [.. Enumerable.Range(0, rows * columns).Select(_ => (float)((random.NextDouble() - 0.5) * 2 / Math.Sqrt(rows)))];

        var model = new OnnxModelBuilder("busy")
            .AddInput("float_input", OnnxElementType.Float, "batch", 4L)
            .AddInitializer("w_in", Weights(4, Width), 4, Width)
            .AddInitializer("w", Weights(Width, Width), Width, Width)
            .AddInitializer("w_out", Weights(Width, 1), Width, 1)
            .AddNode("MatMul", ["float_input", "w_in"], ["h0"]);
        for (int i = 0; i < Layers; i++)
        {
            model.AddNode("MatMul", [$"h{i}", "w"], [$"m{i}"]);
            model.AddNode("Tanh", [$"m{i}"], [$"h{i + 1}"]);
        }

        model.AddNode("MatMul", [$"h{Layers}", "w_out"], ["score"])
            .AddOutput("score", OnnxElementType.Float, "batch", 1L);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), model.Build());
    }
}
