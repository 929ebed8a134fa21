using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Serving.LoadTests.Payloads;

/// <summary>Writes the V2 request bodies for one image of the model under test, in both wire formats.</summary>
internal static class InferPayloads
{
    public static InferPayload Write(WireFormat format, ImageInput input, string directory)
    {
        Directory.CreateDirectory(directory);
        float[] image = input.Create();
        string path = Path.GetFullPath(Path.Combine(directory, format == WireFormat.Binary ? "infer-binary.bin" : "infer.json"));
        var body = new ArrayBufferWriter<byte>(256 * 1024);
        int? headerLength = null;
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            writer.WriteStartObject();
            writer.WriteString("name", input.Name);
            writer.WriteStartArray("shape");
            foreach (long dim in input.Shape(1))
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            writer.WriteString("datatype", "FP32");
            if (format == WireFormat.Binary)
            {
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", image.Length * sizeof(float));
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartArray("data");
                foreach (float value in image)
                {
                    writer.WriteNumberValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            if (format == WireFormat.Binary)
            {
                writer.WriteStartObject("parameters");
                writer.WriteBoolean("binary_data_output", true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        if (format == WireFormat.Binary)
        {
            headerLength = body.WrittenCount;
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("the binary tensor extension is little-endian");
            }

            body.Write(MemoryMarshal.AsBytes(image.AsSpan()));
        }

        File.WriteAllBytes(path, body.WrittenSpan);
        string contentType = format == WireFormat.Binary ? "application/octet-stream" : "application/json";
        return new InferPayload(format, path, contentType, headerLength, body.WrittenCount);
    }
}
