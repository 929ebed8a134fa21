using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Serving.Runtime.Protocol.Json;
using Serving.Runtime.Tensors;

namespace Serving.Runtime.Protocol.V2;

/// <summary>Writes a V2 inference response, as JSON or with the binary tensor extension when outputs ask for it.</summary>
internal static class V2ResponseWriter
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    public static async Task WriteAsync(
        HttpResponse response, string modelName, string? modelVersion, InferenceRequest request, Tensor[] outputs, int[] selected)
    {
        var header = new ArrayBufferWriter<byte>(512);
        List<Tensor>? binary = null;
        long binaryBytes = 0;
        using (var writer = new Utf8JsonWriter(header, JsonOptions.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("model_name", modelName);
            if (modelVersion is not null)
            {
                writer.WriteString("model_version", modelVersion);
            }

            if (request.Id is not null)
            {
                writer.WriteString("id", request.Id);
            }

            writer.WriteStartArray("outputs");
            for (int i = 0; i < selected.Length; i++)
            {
                var output = outputs[selected[i]];
                bool asBinary = request.Outputs?[i].Binary ?? request.BinaryOutput;
                writer.WriteStartObject();
                writer.WriteString("name", output.Name);
                writer.WriteString("datatype", output.DataType.WireName());
                writer.WriteStartArray("shape");
                foreach (long dim in output.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                if (asBinary)
                {
                    long size = output.BinarySize;
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", size);
                    writer.WriteEndObject();
                    (binary ??= []).Add(output);
                    binaryBytes += size;
                }
                else
                {
                    writer.WritePropertyName("data");
                    TensorJson.WriteFlat(writer, output);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = header.WrittenCount + binaryBytes;
        if (binary is null)
        {
            response.ContentType = "application/json";
            await response.Body.WriteAsync(header.WrittenMemory);
            return;
        }

        response.ContentType = "application/octet-stream";
        response.Headers[HeaderLengthHeader] = header.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = response.BodyWriter;
        body.Write(header.WrittenSpan);
        foreach (var tensor in binary)
        {
            if (tensor.Elements is { } elements)
            {
                foreach (var element in elements)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(body.GetSpan(4), (uint)element.Length);
                    body.Advance(4);
                    body.Write(element.Span);
                }
            }
            else
            {
                body.Write(tensor.Data.Span);
            }
        }

        await body.FlushAsync();
    }
}
