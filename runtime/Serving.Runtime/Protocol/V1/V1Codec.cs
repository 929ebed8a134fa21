using System.Buffers;
using System.Text.Json;
using Serving.Runtime.Models;
using Serving.Runtime.Protocol.Json;
using Serving.Runtime.Protocol.V2;
using Serving.Runtime.Tensors;

namespace Serving.Runtime.Protocol.V1;

/// <summary>
/// KServe V1 (TF-Serving style). <c>instances</c> is a list of rows: for a one-input model each row is that
/// input's row, for several inputs each row is an object keyed by input name. <c>inputs</c> is columnar: the whole
/// tensor for a one-input model, or an object of tensors by name. Datatypes come from the model.
/// <c>predictions</c> holds, per row, the label for a classifier (an output named like "label"), the row of the
/// only output otherwise, or an object of outputs by name when there are several.
/// </summary>
internal static class V1Codec
{
    public static Tensor[] ReadInputs(OnnxModel model, ReadOnlyMemory<byte> body)
    {
        using var document = V2RequestReader.ParseJson(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw InferenceException.BadInput("the request must be a JSON object with 'instances' or 'inputs'");
        }

        if (root.TryGetProperty("inputs", out var columns))
        {
            return ReadColumns(model, columns);
        }

        if (root.TryGetProperty("instances", out var rows))
        {
            return ReadRows(model, rows);
        }

        throw InferenceException.BadInput("the request has neither 'instances' nor 'inputs'");
    }

    public static ReadOnlyMemory<byte> WritePredictions(OnnxModel model, Tensor[] outputs)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using var writer = new Utf8JsonWriter(buffer, JsonOptions.Writer);
        writer.WriteStartObject();
        writer.WritePropertyName("predictions");
        int label = LabelOutput(model);
        if (label >= 0 || outputs.Length == 1)
        {
            var tensor = outputs[Math.Max(label, 0)];
            int index = 0;
            TensorJson.WriteNested(writer, tensor, tensor.Shape, ref index);
        }
        else
        {
            WriteRowObjects(writer, outputs);
        }

        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenMemory;
    }

    /// <summary>The output a classifier reports as its prediction: an integer or string vector named like "label".</summary>
    private static int LabelOutput(OnnxModel model)
    {
        for (int i = 0; i < model.Outputs.Count; i++)
        {
            var spec = model.Outputs[i];
            if (spec.Name.Contains("label", StringComparison.OrdinalIgnoreCase) && spec.Shape.Length == 1
                && spec.DataType is DataType.Int64 or DataType.Int32 or DataType.Bytes)
            {
                return i;
            }
        }

        return -1;
    }

    private static void WriteRowObjects(Utf8JsonWriter writer, Tensor[] outputs)
    {
        long rows = outputs[0].Shape.Length > 0 ? outputs[0].Shape[0] : 1;
        if (outputs.Any(o => o.Shape.Length == 0 || o.Shape[0] != rows))
        {
            // Outputs that do not share a batch dimension cannot be split into rows: return them whole.
            writer.WriteStartObject();
            foreach (var output in outputs)
            {
                writer.WritePropertyName(output.Name);
                int index = 0;
                TensorJson.WriteNested(writer, output, output.Shape, ref index);
            }

            writer.WriteEndObject();
            return;
        }

        var cursors = new int[outputs.Length];
        writer.WriteStartArray();
        for (long r = 0; r < rows; r++)
        {
            writer.WriteStartObject();
            for (int o = 0; o < outputs.Length; o++)
            {
                writer.WritePropertyName(outputs[o].Name);
                TensorJson.WriteNested(writer, outputs[o], outputs[o].Shape.AsSpan(1), ref cursors[o]);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static Tensor[] ReadColumns(OnnxModel model, JsonElement columns)
    {
        if (columns.ValueKind == JsonValueKind.Object)
        {
            return [.. columns.EnumerateObject().Select(p => ReadTensor(model, p.Name, p.Value))];
        }

        return [ReadTensor(model, SingleInput(model, "inputs"), columns)];
    }

    private static Tensor[] ReadRows(OnnxModel model, JsonElement rows)
    {
        if (rows.ValueKind != JsonValueKind.Array)
        {
            throw InferenceException.BadInput("'instances' must be a list");
        }

        if (rows.GetArrayLength() == 0)
        {
            throw InferenceException.BadInput("'instances' is empty: send at least one instance");
        }

        if (model.Inputs.Count == 1 || rows[0].ValueKind != JsonValueKind.Object)
        {
            return [ReadTensor(model, SingleInput(model, "instances"), rows)];
        }

        // Several inputs: each instance is {input: row}; stack the rows of each input.
        var tensors = new List<Tensor>(model.Inputs.Count);
        foreach (var spec in model.Inputs)
        {
            var stacked = new List<JsonElement>();
            foreach (var row in rows.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Object || !row.TryGetProperty(spec.Name, out var value))
                {
                    throw InferenceException.BadInput($"instance {stacked.Count} has no '{spec.Name}'; each instance needs every input of model {model.Name}");
                }

                stacked.Add(value);
            }

            tensors.Add(ReadTensor(model, spec.Name, JsonSerializer.SerializeToElement(stacked)));
        }

        return [.. tensors];
    }

    private static string SingleInput(OnnxModel model, string field) => model.Inputs.Count == 1
        ? model.Inputs[0].Name
        : throw InferenceException.BadInput(
            $"model {model.Name} has {model.Inputs.Count} inputs ({string.Join(", ", model.Inputs.Select(i => i.Name))}); " +
            $"'{field}' must name them: use objects keyed by input name");

    private static Tensor ReadTensor(OnnxModel model, string name, JsonElement data)
    {
        int index = model.InputIndex(name);
        if (index < 0)
        {
            throw InferenceException.BadInput(
                $"unknown input '{name}' for model {model.Name}; expected inputs: {string.Join(", ", model.Inputs.Select(i => i.Name))}");
        }

        long[] shape = TensorJson.InferShape(name, data);
        return TensorJson.Decode(name, model.Inputs[index].DataType, shape, data);
    }
}
