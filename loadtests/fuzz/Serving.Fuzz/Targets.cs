using System.Text;
using System.Text.Json;
using Serving.Controller.Loading;
using Serving.Gateway.Graph.Conditions;
using Serving.Gateway.Proxy.Http1;
using Serving.Runtime.Protocol;
using Serving.Runtime.Protocol.Json;
using Serving.Runtime.Protocol.V2;
using Serving.Runtime.Tensors;

namespace Serving.Fuzz;

/// <summary>Every parser of outside input, each with the error type it documents.</summary>
public static class Targets
{
    private static readonly byte[] GraphInput = """{"predictions":[1,2,{"a":"dog"}],"instances":[[1,2]],"name":"x","n":3.5}"""u8.ToArray();

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("v2-json", Utf8(
            """{"id":"1","inputs":[{"name":"x","shape":[1,4],"datatype":"FP32","data":[1,2,3,4]}],"outputs":[{"name":"y"}]}""",
            """{"inputs":[{"name":"s","shape":[2],"datatype":"BYTES","data":["a","b"]},{"name":"i","shape":[1,2],"datatype":"INT8","data":[[1,-2]]}],"parameters":{"binary_data_output":true}}""",
            """{"inputs":[{"name":"u","shape":[3],"datatype":"UINT64","data":[0,18446744073709551615,1]},{"name":"b","shape":[1],"datatype":"BOOL","data":[true]}]}"""),
            input => Catch<InferenceException>(() => V2RequestReader.Read(input, null)), nameof(InferenceException)),

        new("v2-binary", BinarySeeds(),
            input =>
            {
                // First 2 bytes: the Inference-Header-Content-Length, the rest the body.
                long? header = input.Length < 2 ? null : (input[0] | (input[1] << 8)) % (input.Length + 8);
                Catch<InferenceException>(() => V2RequestReader.Read(input.AsMemory(Math.Min(2, input.Length)), header));
            }, nameof(InferenceException)),

        new("v1-json", Utf8("""{"instances":[[6.8,2.8,4.8,1.4],[1,2,3,4]]}""", """{"instances":[[[1,2],[3,4]]]}""", """{"inputs":[1,2,3]}"""),
            input => Catch<InferenceException>(() =>
            {
                using var document = V2RequestReader.ParseJson(input);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("instances", out var data) || root.TryGetProperty("inputs", out data)))
                {
                    foreach (var type in new[] { DataType.FP32, DataType.Int64, DataType.Bytes, DataType.Bool })
                    {
                        TensorJson.Decode("x", type, TensorJson.InferShape("x", data), data);
                    }
                }
            }), nameof(InferenceException)),

        new("gjson-conditions", Utf8("predictions.0", "[@this].#(predictions.0==\"dog\")", "instances.#", "predictions.#(a%\"d*\")#", "predictions.#.a", "fav\\.movie", "#(n>=3)"),
            input => Catch<GjsonSyntaxException>(() =>
            {
                var path = GjsonPath.Parse(Encoding.UTF8.GetString(input));
                using var document = JsonDocument.Parse(GraphInput);
                path.Exists(document.RootElement);
            }), nameof(GjsonSyntaxException)),

        new("kserve-yaml", [File.ReadAllBytes(Path.Combine(RepoRoot(), "samples/kserve/graph.yaml")), File.ReadAllBytes(Path.Combine(RepoRoot(), "samples/kserve/iris.yaml"))],
            input => ManifestLoader.Load(Encoding.UTF8.GetString(input), "fuzz.yaml"), "none: errors are in the LoadResult"),

        new("http1-response-head", Utf8(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n",
            "HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\nSet-Cookie: a=1\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X\r\n"),
            input =>
            {
                // The forwarder hands the parser a head that ends with one CRLF and holds no blank line.
                int end = input.AsSpan().IndexOf("\r\n\r\n"u8);
                int length = end >= 0 ? end + 2 : input.Length;
                if (length >= 2 && input.AsSpan(0, length).EndsWith("\r\n"u8))
                {
                    Catch<ReplicaProtocolException>(() => new ResponseHead().Parse(input.AsSpan(0, length), headRequest: (input[0] & 1) == 1));
                }
            }, nameof(ReplicaProtocolException)),

        new("http1-chunked", Utf8("5\r\nhello\r\n0\r\n\r\n", "a;ext=1\r\n0123456789\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n", "0\r\n\r\n"),
            input => Catch<ReplicaProtocolException>(() => Dechunk(input)), nameof(ReplicaProtocolException)),
    ];

    /// <summary>Feeds the decoder as the forwarder does, in pieces split where the input's first byte says.</summary>
    private static void Dechunk(byte[] input)
    {
        var decoder = new ChunkedDecoder();
        int step = input.Length == 0 ? 1 : 1 + (input[0] % 7);
        int available = 0, start = 0, total = 0;
        while (!decoder.IsDone)
        {
            start += decoder.Decode(input.AsSpan(start, available - start), out int data);
            total += data;
            if (data == 0 && !decoder.IsDone)
            {
                if (available == input.Length)
                {
                    return; // needs more than the input has: the forwarder would wait for the replica
                }

                available = Math.Min(input.Length, available + step);
            }

            if (total > input.Length || start > available)
            {
                throw new InvalidOperationException("the decoder claimed more bytes than it was given");
            }
        }
    }

    private static void Catch<TDocumented>(Action run)
        where TDocumented : Exception
    {
        try
        {
            run();
        }
        catch (TDocumented)
        {
            // the parser refused the input as it documents
        }
    }

    private static byte[][] Utf8(params string[] seeds) => [.. seeds.Select(Encoding.UTF8.GetBytes)];

    private static byte[][] BinarySeeds()
    {
        byte[] Build(string json, byte[] binary)
        {
            var header = Encoding.UTF8.GetBytes(json);
            return [(byte)header.Length, (byte)(header.Length >> 8), .. header, .. binary];
        }

        return
        [
            Build("""{"inputs":[{"name":"x","shape":[1,2],"datatype":"FP32","parameters":{"binary_data_size":8}}]}""", new byte[8]),
            Build("""{"inputs":[{"name":"s","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":10}}]}""", [1, 0, 0, 0, 97, 1, 0, 0, 0, 98]),
        ];
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("the repository root (Gateway.sln) is not above " + AppContext.BaseDirectory);
    }
}
