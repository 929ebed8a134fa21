using System.Buffers.Binary;
using System.Text.Json;
using Serving.Runtime.Protocol.Json;
using Serving.Runtime.Tensors;

namespace Serving.Runtime.Protocol.V2;

/// <summary>
/// Reads a V2 inference request: a JSON body, or with <c>Inference-Header-Content-Length: N</c> a JSON header of N bytes
/// followed by the raw tensors of the inputs that carry <c>parameters.binary_data_size</c>, in input order.
/// </summary>
internal static class V2RequestReader
{
    public const int MaxJsonDepth = 64;

    public static InferenceRequest Read(ReadOnlyMemory<byte> body, long? headerLength)
    {
        if (headerLength > body.Length)
        {
            throw InferenceException.BadInput(
                $"Inference-Header-Content-Length is {headerLength} but the request body has only {body.Length} bytes");
        }

        var json = headerLength is { } n ? body[..(int)n] : body;
        var binary = headerLength is { } m ? body[(int)m..] : ReadOnlyMemory<byte>.Empty;
        using var document = ParseJson(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw InferenceException.BadInput("the request must be a JSON object with an 'inputs' array");
        }

        string? id = null;
        if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            id = idElement.ValueKind == JsonValueKind.String
                ? idElement.GetString()
                : throw InferenceException.BadInput("'id' must be a string");
        }

        bool binaryOutput = BoolParameter(root, "binary_data_output", "request") ?? false;
        if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array
            || inputsElement.GetArrayLength() == 0)
        {
            throw InferenceException.BadInput("'inputs' must be a non-empty array");
        }

        var inputs = new List<Tensor>(inputsElement.GetArrayLength());
        int binaryOffset = 0;
        foreach (var input in inputsElement.EnumerateArray())
        {
            inputs.Add(ReadInput(input, headerLength is not null, binary, ref binaryOffset));
        }

        if (binaryOffset != binary.Length)
        {
            throw InferenceException.BadInput(
                $"the binary section has {binary.Length} bytes but the inputs' binary_data_size add up to {binaryOffset}");
        }

        return new InferenceRequest(id, inputs, ReadOutputs(root), binaryOutput);
    }

    public static JsonDocument ParseJson(ReadOnlyMemory<byte> json)
    {
        // JsonDocument checks string contents only when they are read (GetString throws InvalidOperationException then).
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
        {
            throw InferenceException.BadInput("malformed JSON: the request is not valid UTF-8");
        }

        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (JsonException e)
        {
            throw InferenceException.BadInput($"malformed JSON: {e.Message}");
        }
    }

    private static Tensor ReadInput(JsonElement input, bool hasBinary, ReadOnlyMemory<byte> binary, ref int binaryOffset)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw InferenceException.BadInput("each entry of 'inputs' must be an object with name, shape, datatype and data");
        }

        string name = input.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
            ? n.GetString()!
            : throw InferenceException.BadInput("an input has no 'name'");
        string? typeName = input.TryGetProperty("datatype", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (!DataTypes.TryParse(typeName, out var type))
        {
            throw InferenceException.BadInput(
                $"input '{name}': datatype '{typeName}' is not one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16, BYTES");
        }

        long[] shape = ReadShape(name, input);
        if (input.TryGetProperty("data", out var data))
        {
            return TensorJson.Decode(name, type, shape, data);
        }

        long? size = Parameter(input, "binary_data_size") is { } p
            ? p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out long s) && s >= 0
                ? s
                : throw InferenceException.BadInput($"input '{name}': binary_data_size must be a non-negative integer")
            : null;
        if (size is null)
        {
            throw InferenceException.BadInput($"input '{name}': 'data' field is missing (and there is no parameters.binary_data_size)");
        }

        if (!hasBinary)
        {
            throw InferenceException.BadInput(
                $"input '{name}' has binary_data_size but the Inference-Header-Content-Length header is missing");
        }

        if (size > binary.Length - binaryOffset)
        {
            throw InferenceException.BadInput(
                $"input '{name}': binary_data_size is {size} but only {binary.Length - binaryOffset} bytes of binary data are left");
        }

        var slice = binary.Slice(binaryOffset, (int)size);
        binaryOffset += (int)size;
        return type == DataType.Bytes ? ReadBinaryStrings(name, shape, slice) : ReadBinaryFixed(name, type, shape, slice);
    }

    private static Tensor ReadBinaryFixed(string name, DataType type, long[] shape, ReadOnlyMemory<byte> slice)
    {
        long count = Shapes.ElementCount(shape);
        if (count < 0 || count > slice.Length / type.ElementSize() || count * type.ElementSize() != slice.Length)
        {
            throw InferenceException.BadInput(
                $"input '{name}': binary_data_size is {slice.Length} bytes but shape {Shapes.Format(shape)} of {type.WireName()} needs " +
                (count < 0 ? "more than fits in memory" : $"{count * type.ElementSize()} bytes"));
        }

        return new Tensor(name, type, shape, slice);
    }

    private static Tensor ReadBinaryStrings(string name, long[] shape, ReadOnlyMemory<byte> slice)
    {
        long count = Shapes.ElementCount(shape);
        // Each element takes at least its 4-byte length prefix.
        if (count < 0 || count > slice.Length / 4 + 1)
        {
            throw InferenceException.BadInput($"input '{name}': shape {Shapes.Format(shape)} holds more BYTES elements than its {slice.Length} bytes can");
        }

        var elements = new ReadOnlyMemory<byte>[count];
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            if (slice.Length - offset < 4)
            {
                throw InferenceException.BadInput($"input '{name}': BYTES element {i} has no 4-byte length prefix");
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(slice.Span[offset..]);
            offset += 4;
            if (length > slice.Length - offset)
            {
                throw InferenceException.BadInput($"input '{name}': BYTES element {i} claims {length} bytes, only {slice.Length - offset} are left");
            }

            elements[i] = slice.Slice(offset, (int)length);
            offset += (int)length;
        }

        if (offset != slice.Length)
        {
            throw InferenceException.BadInput(
                $"input '{name}': {slice.Length - offset} bytes are left after the {count} BYTES elements of shape {Shapes.Format(shape)}");
        }

        return new Tensor(name, shape, elements);
    }

    private static long[] ReadShape(string name, JsonElement input)
    {
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw InferenceException.BadInput($"input '{name}': 'shape' must be an array of non-negative integers");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        int d = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out shape[d]) || shape[d] < 0)
            {
                throw InferenceException.BadInput(
                    $"input '{name}': shape {shapeElement.GetRawText()} must hold non-negative integers; dimension {d} is {dim.GetRawText()}");
            }

            d++;
        }

        return shape;
    }

    /// <summary>The outputs asked for; null (every output, in the model's order) when absent, null or empty, as Triton and KServe do.</summary>
    private static List<RequestedOutput>? ReadOutputs(JsonElement root)
    {
        if (!root.TryGetProperty("outputs", out var outputs) || outputs.ValueKind == JsonValueKind.Null
            || (outputs.ValueKind == JsonValueKind.Array && outputs.GetArrayLength() == 0))
        {
            return null;
        }

        if (outputs.ValueKind != JsonValueKind.Array)
        {
            throw InferenceException.BadInput("'outputs' must be an array of {\"name\": ...} objects");
        }

        var requested = new List<RequestedOutput>(outputs.GetArrayLength());
        foreach (var output in outputs.EnumerateArray())
        {
            string name = output.ValueKind == JsonValueKind.Object && output.TryGetProperty("name", out var n)
                && n.ValueKind == JsonValueKind.String
                ? n.GetString()!
                : throw InferenceException.BadInput("each entry of 'outputs' must be an object with a 'name'");
            requested.Add(new RequestedOutput(name, BoolParameter(output, "binary_data", $"output '{name}'")));
        }

        return requested;
    }

    /// <summary>A parameter's value; parameters absent or <c>null</c> (KServe's optional field) have none.</summary>
    private static JsonElement? Parameter(JsonElement owner, string name) =>
        owner.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
        && parameters.TryGetProperty(name, out var value)
            ? value
            : null;

    private static bool? BoolParameter(JsonElement owner, string name, string what) => Parameter(owner, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw InferenceException.BadInput($"{what}: parameter {name} must be true or false"),
    };
}
