using System.Text.Json;

namespace Serving.Gateway.Graph;

/// <summary>JSON checks on step bodies, without building objects for bodies that only pass through.</summary>
internal static class JsonBytes
{
    public static bool IsValid(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return false;
        }

        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static JsonDocument? TryParse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>mapPredictionsToInstances</c>: a body with a non-empty <c>predictions</c> array becomes <c>{"instances": predictions}</c>
    /// (other fields dropped, as KServe's router re-marshals); any other body is sent unchanged.
    /// </summary>
    public static byte[] PredictionsToInstances(byte[] body)
    {
        using var document = TryParse(body);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root
            || !root.TryGetProperty("predictions", out var predictions)
            || predictions.ValueKind != JsonValueKind.Array
            || predictions.GetArrayLength() == 0)
        {
            return body;
        }

        using var buffer = new MemoryStream(body.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("instances");
            predictions.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
