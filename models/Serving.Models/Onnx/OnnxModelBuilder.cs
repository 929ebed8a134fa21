using Google.Protobuf;
using Serving.Models.Onnx.Proto;

namespace Serving.Models.Onnx;

/// <summary>
/// Writes a single-graph ONNX model (default domain, opset <see cref="OpsetVersion"/>).
/// The builder checks each argument, not the graph: a node may name a value nobody produces,
/// and ONNX Runtime is the one that rejects such a model when loading it.
/// The same calls always give the same bytes.
/// </summary>
public sealed class OnnxModelBuilder
{
    public const long OpsetVersion = 17;
    public const long IrVersion = 8;
    public const string ProducerName = "serving-models";
    public const string ProducerVersion = "1.0";

    private readonly GraphProto graph;
    private readonly List<StringStringEntryProto> metadata = [];

    public OnnxModelBuilder(string graphName = "main")
    {
        ArgumentException.ThrowIfNullOrEmpty(graphName);
        graph = new GraphProto { Name = graphName };
    }

    /// <summary>Declares a graph input. Each dim is a <see cref="long"/> (fixed) or a <see cref="string"/> (symbolic, e.g. "batch").</summary>
    public OnnxModelBuilder AddInput(string name, OnnxElementType type, params object[] dims)
    {
        graph.Input.Add(OnnxValueInfo.Create(name, type, dims));
        return this;
    }

    /// <summary>Declares a graph output; dims as in <see cref="AddInput"/>.</summary>
    public OnnxModelBuilder AddOutput(string name, OnnxElementType type, params object[] dims)
    {
        graph.Output.Add(OnnxValueInfo.Create(name, type, dims));
        return this;
    }

    public OnnxModelBuilder AddInitializer(string name, float[] values, params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(values);
        var tensor = OnnxTensors.Create(name, OnnxElementType.Float, values.Length, dims);
        tensor.FloatData.Add(values);
        graph.Initializer.Add(tensor);
        return this;
    }

    public OnnxModelBuilder AddInitializer(string name, long[] values, params long[] dims)
    {
        ArgumentNullException.ThrowIfNull(values);
        var tensor = OnnxTensors.Create(name, OnnxElementType.Int64, values.Length, dims);
        tensor.Int64Data.Add(values);
        graph.Initializer.Add(tensor);
        return this;
    }

    /// <summary>
    /// Adds a node of the default domain. Attribute values may be <see cref="long"/>, <see cref="int"/>,
    /// <see cref="float"/>, <see cref="string"/>, <c>long[]</c>, <c>int[]</c> or <c>float[]</c>.
    /// </summary>
    public OnnxModelBuilder AddNode(string opType, string[] inputs, string[] outputs, params (string name, object value)[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(attributes);

        var node = new NodeProto
        {
            Name = $"{opType}_{graph.Node.Count}",
            OpType = opType,
            Domain = "",
        };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        foreach (var (attributeName, value) in attributes)
        {
            if (node.Attribute.Any(a => a.Name == attributeName))
            {
                throw new ArgumentException($"Attribute '{attributeName}' is given twice for {node.Name}.", nameof(attributes));
            }

            node.Attribute.Add(OnnxAttributes.Create(attributeName, value));
        }

        graph.Node.Add(node);
        return this;
    }

    /// <summary>Adds a model-level metadata entry (ONNX <c>metadata_props</c>).</summary>
    public OnnxModelBuilder AddMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        metadata.Add(new StringStringEntryProto { Key = key, Value = value });
        return this;
    }

    public byte[] Build()
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = ProducerName,
            ProducerVersion = ProducerVersion,
            Graph = graph.Clone(),
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        model.MetadataProps.Add(metadata.Select(m => m.Clone()));
        return model.ToByteArray();
    }
}
