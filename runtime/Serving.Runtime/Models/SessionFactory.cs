using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Serving.Runtime.Models;

/// <summary>
/// Creates ONNX Runtime sessions on the chosen device. The device is decided once at start:
/// CUDA when asked (or when <c>auto</c> and the CUDA provider loads), CPU otherwise.
/// </summary>
internal sealed partial class SessionFactory
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    private readonly int _intraOpThreads;
    private readonly int _deviceId;
    private readonly CudnnConvAlgoSearch _convAlgoSearch;
    private readonly bool _fallBackToCpu;
    private readonly ILogger _logger;

    public SessionFactory(
        DeviceKind device, int intraOpThreads, int deviceId, CudnnConvAlgoSearch convAlgoSearch, ILogger<SessionFactory> logger)
    {
        _intraOpThreads = intraOpThreads;
        _deviceId = deviceId;
        _convAlgoSearch = convAlgoSearch;
        _logger = logger;
        _fallBackToCpu = device == DeviceKind.Auto;
        Device = device == DeviceKind.Cpu ? Cpu : ProbeCuda(device);
        LogDevice(_logger, Device, device.ToString().ToLowerInvariant());
    }

    /// <summary>The device sessions are created on: <c>cuda</c> or <c>cpu</c>.</summary>
    public string Device { get; }

    public (InferenceSession Session, string Device) Create(string modelPath)
    {
        if (Device == Cuda)
        {
            try
            {
                return (new InferenceSession(modelPath, CreateOptions(useCuda: true)), Cuda);
            }
            catch (OnnxRuntimeException e) when (_fallBackToCpu)
            {
                LogCudaSessionFallback(_logger, modelPath, e.Message);
            }
        }

        return (new InferenceSession(modelPath, CreateOptions(useCuda: false)), Cpu);
    }

    private SessionOptions CreateOptions(bool useCuda)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = _intraOpThreads,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (useCuda)
        {
            using var cuda = new OrtCUDAProviderOptions();
            cuda.UpdateOptions(CudaProviderOptions(_deviceId, _convAlgoSearch));
            options.AppendExecutionProvider_CUDA(cuda);
        }

        return options;
    }

    /// <summary>The CUDA execution provider's options, by ONNX Runtime's key names.</summary>
    internal static Dictionary<string, string> CudaProviderOptions(int deviceId, CudnnConvAlgoSearch convAlgoSearch) => new(StringComparer.Ordinal)
    {
        ["device_id"] = deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["cudnn_conv_algo_search"] = convAlgoSearch switch
        {
            CudnnConvAlgoSearch.Exhaustive => "EXHAUSTIVE",
            CudnnConvAlgoSearch.Default => "DEFAULT",
            _ => "HEURISTIC",
        },
    };

    private string ProbeCuda(DeviceKind requested)
    {
        // ONNX Runtime prints its own error when the provider library does not load; we log the reason ourselves.
        var env = OrtEnv.Instance();
        var level = env.EnvLogLevel;
        env.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        try
        {
            using var probe = new SessionOptions();
            probe.AppendExecutionProvider_CUDA(_deviceId);
            return Cuda;
        }
        catch (OnnxRuntimeException e) when (requested == DeviceKind.Auto)
        {
            LogCudaUnavailable(_logger, e.Message);
            return Cpu;
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException(
                $"--device cuda was requested but the CUDA execution provider could not be loaded: {e.Message}", e);
        }
        finally
        {
            env.EnvLogLevel = level;
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Execution device: {Device} (requested {Requested})")]
    private static partial void LogDevice(ILogger logger, string device, string requested);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "CUDA is not available, using CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "CUDA session for {Path} failed, using CPU: {Reason}")]
    private static partial void LogCudaSessionFallback(ILogger logger, string path, string reason);
}
