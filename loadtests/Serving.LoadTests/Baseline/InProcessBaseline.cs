using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Observation;
using Serving.LoadTests.Payloads;

namespace Serving.LoadTests.Baseline;

/// <summary>
/// The ceiling the server is compared with: one <see cref="InferenceSession"/> in this process, with the runtime's
/// default session settings (IntraOpNumThreads 0, ORT_ENABLE_ALL, and the CUDA execution provider on device 0 with the
/// server's cuDNN algorithm search when the server runs with <c>--device cuda</c>), calling <c>Run</c> back to back on a prepared input in host memory, as the
/// server's inputs are. No serialisation, no HTTP.
/// </summary>
internal sealed class InProcessBaseline : IDisposable
{
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(0.5);

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    public InProcessBaseline(string modelPath, BenchDevice device, string cudnnConvAlgoSearch, IReadOnlyList<int> rowShape)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 0,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (device == BenchDevice.Cuda)
        {
            try
            {
                using var cuda = new OrtCUDAProviderOptions();
                cuda.UpdateOptions(new Dictionary<string, string>
                {
                    ["device_id"] = "0",
                    ["cudnn_conv_algo_search"] = cudnnConvAlgoSearch.ToUpperInvariant(),
                });
                options.AppendExecutionProvider_CUDA(cuda);
            }
            catch (OnnxRuntimeException e)
            {
                throw new BenchmarkException($"--device cuda: the CUDA execution provider could not be loaded: {e.Message}", e);
            }
        }

        _session = new InferenceSession(modelPath, options);
        Input = ImageInput.From(_session, modelPath, rowShape);
        _inputNames = [Input.Name];
        _outputNames = [.. _session.OutputMetadata.Keys];
    }

    /// <summary>The model's image input, which the request payloads are shaped after.</summary>
    public ImageInput Input { get; }

    public static string OnnxRuntimeVersion => OrtEnv.Instance().GetVersionString();

    public BaselinePoint Measure(int batch, TimeSpan duration, CancellationToken cancellationToken)
    {
        float[] data = Input.Create(batch);
        using var input = OrtValue.CreateTensorValueFromMemory(data, Input.Shape(batch));
        OrtValue[] inputs = [input];
        using var runOptions = new RunOptions();

        RunFor(Warmup, inputs, runOptions, cancellationToken);
        int self = Environment.ProcessId;
        var before = CpuCounters.Read(self);
        long start = Stopwatch.GetTimestamp();
        long runs = RunFor(duration, inputs, runOptions, cancellationToken);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var (machine, own) = CpuCounters.CoresBetween(before, CpuCounters.Read(self), seconds);
        return new BaselinePoint(batch, runs, seconds, own, Math.Max(0, machine - own));
    }

    public void Dispose() => _session.Dispose();

    private long RunFor(TimeSpan duration, OrtValue[] inputs, RunOptions runOptions, CancellationToken cancellationToken)
    {
        long end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long runs = 0;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var outputs = _session.Run(runOptions, _inputNames, inputs, _outputNames);
            runs++;
        }
        while (Stopwatch.GetTimestamp() < end);

        return runs;
    }
}
