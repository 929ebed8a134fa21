using System.Text.Encodings.Web;
using System.Text.Json;

namespace Serving.Runtime.Protocol.Json;

public static class JsonOptions
{
    /// <summary>Writes quotes and non-ASCII text as they are (still valid JSON), so messages read well in a terminal.</summary>
    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
