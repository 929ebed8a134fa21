using System.Buffers;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Serving.Runtime.Protocol;
using Serving.Runtime.Tensors;

namespace Serving.Runtime.Models;

/// <summary>
/// One loaded ONNX model version: its signature and its session, plus one session per batch size for padded batches
/// (<see cref="RunOnBatchSession"/>): ONNX Runtime's CUDA provider keeps its convolution state for the last input shape
/// only, so even two alternating batch sizes on one session pay the re-preparation on every Run.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly Func<InferenceSession> _newSession;
    private readonly Dictionary<long, InferenceSession> _batchSessions = [];
    private readonly Lock _batchSessionsLock = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

    private OnnxModel(
        ModelLocation location, InferenceSession session, Func<InferenceSession> newSession, string device, TensorSpec[] inputs, TensorSpec[] outputs)
    {
        Name = location.Name;
        Version = location.Version;
        Device = device;
        _session = session;
        _newSession = newSession;
        Inputs = inputs;
        Outputs = outputs;
        _inputNames = [.. inputs.Select(i => i.Name)];
        _outputNames = [.. outputs.Select(o => o.Name)];
        SupportsBatching = inputs.All(i => i.HasDynamicBatch) && outputs.All(o => o.HasDynamicBatch);
    }

    public string Name { get; }

    public string? Version { get; }

    public string Device { get; }

    public IReadOnlyList<TensorSpec> Inputs { get; }

    /// <summary>Tensor outputs; non-tensor outputs (sequences, maps) are not served.</summary>
    public IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>True when every input and output has a dynamic first dimension, so requests can be stacked.</summary>
    public bool SupportsBatching { get; }

    internal static OnnxModel Load(ModelLocation location, SessionFactory sessions)
    {
        var (session, device) = sessions.Create(location.Path);
        try
        {
            var inputs = session.InputMetadata.Select(m => ToSpec(m.Key, m.Value, "input")).ToArray();
            var outputs = session.OutputMetadata
                .Where(m => m.Value.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR)
                .Select(m => ToSpec(m.Key, m.Value, "output"))
                .ToArray();
            if (outputs.Length == 0)
            {
                throw new InvalidOperationException("the model has no tensor outputs");
            }

            return new OnnxModel(location, session, () => sessions.Create(location.Path).Session, device, inputs, outputs);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public int InputIndex(string name) => Array.IndexOf(_inputNames, name);

    public int OutputIndex(string name) => Array.IndexOf(_outputNames, name);

    /// <summary>Runs the model on inputs given in <see cref="Inputs"/> order; returns every output in <see cref="Outputs"/> order.</summary>
    public Tensor[] Run(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken) => Run(_session, inputs, cancellationToken);

    /// <summary>
    /// Runs on a session kept for the inputs' batch size alone, created on first use, so that its kernels never see
    /// another shape. For a few fixed sizes (padded batches): each session holds its own weights and memory.
    /// </summary>
    internal Tensor[] RunOnBatchSession(IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken, out bool created)
    {
        long rows = inputs[0].Shape[0];
        InferenceSession? session;
        lock (_batchSessionsLock)
        {
            created = !_batchSessions.TryGetValue(rows, out session);
            if (session is null)
            {
                session = _newSession();
                _batchSessions[rows] = session;
            }
        }

        return Run(session, inputs, cancellationToken);
    }

    private Tensor[] Run(InferenceSession session, IReadOnlyList<Tensor> inputs, CancellationToken cancellationToken)
    {
        var values = new OrtValue[inputs.Count];
        var pins = new MemoryHandle[inputs.Count];
        try
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                values[i] = ToOrtValue(inputs[i], out pins[i]);
            }

            using var runOptions = new RunOptions();
            using var cancel = cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
            using var results = session.Run(runOptions, _inputNames, values, _outputNames);
            var outputs = new Tensor[results.Count];
            for (int i = 0; i < outputs.Length; i++)
            {
                outputs[i] = FromOrtValue(_outputNames[i], results[i]);
            }

            return outputs;
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (OnnxRuntimeException e) when (e.Message.StartsWith("[ErrorCode:InvalidArgument]", StringComparison.Ordinal))
        {
            throw InferenceException.BadInput($"model {Name} rejected the input: {e.Message}");
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException(ErrorKind.InferenceFailed, $"inference failed for model {Name}: {e.Message}", e);
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }

            foreach (var pin in pins)
            {
                pin.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        lock (_batchSessionsLock)
        {
            foreach (var session in _batchSessions.Values)
            {
                session.Dispose();
            }

            _batchSessions.Clear();
        }
    }

    private static TensorSpec ToSpec(string name, NodeMetadata metadata, string role)
    {
        if (metadata.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new InvalidOperationException($"{role} '{name}' is a {metadata.OnnxValueType}, only tensors are supported");
        }

        if (!DataTypes.TryFromOnnx(metadata.ElementDataType, out var dataType))
        {
            throw new InvalidOperationException(
                $"{role} '{name}' has element type {metadata.ElementDataType}, which has no Open Inference Protocol datatype");
        }

        return new TensorSpec(name, dataType, [.. metadata.Dimensions.Select(d => (long)(d < 0 ? -1 : d))]);
    }

    private static unsafe OrtValue ToOrtValue(Tensor tensor, out MemoryHandle pin)
    {
        if (tensor.Elements is { } elements)
        {
            pin = default;
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, tensor.Shape);
            for (int i = 0; i < elements.Length; i++)
            {
                value.StringTensorSetElementAt(elements[i].Span, i);
            }

            return value;
        }

        var data = tensor.Data;
        int elementSize = tensor.DataType.ElementSize();
        pin = data.Pin();
        if ((nint)pin.Pointer % elementSize != 0)
        {
            // A binary input sliced from the body at an odd offset: copy to an aligned buffer for the kernels.
            pin.Dispose();
            data = data.ToArray();
            pin = data.Pin();
        }

        return OrtValue.CreateTensorValueWithData(
            OrtMemoryInfo.DefaultInstance, tensor.DataType.ToOnnx(), tensor.Shape, (nint)pin.Pointer, data.Length);
    }

    private static Tensor FromOrtValue(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        long[] shape = info.Shape;
        if (!DataTypes.TryFromOnnx(info.ElementDataType, out var dataType))
        {
            throw new InferenceException(ErrorKind.InferenceFailed, $"output '{name}' has unsupported element type {info.ElementDataType}");
        }

        if (dataType == DataType.Bytes)
        {
            var elements = new ReadOnlyMemory<byte>[info.ElementCount];
            for (int i = 0; i < elements.Length; i++)
            {
                elements[i] = Encoding.UTF8.GetBytes(value.GetStringElement(i));
            }

            return new Tensor(name, shape, elements);
        }

        return new Tensor(name, dataType, shape, value.GetTensorDataAsSpan<byte>().ToArray());
    }
}
