using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Serving.Models.Onnx;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.Protocol;

/// <summary>Every ONNX tensor type that has a V2 datatype goes through JSON and the binary extension unchanged.</summary>
public sealed class DatatypeTests : IAsyncLifetime
{
    private static readonly (OnnxElementType Onnx, string V2, string Json)[] Types =
    [
        (OnnxElementType.Bool, "BOOL", "[true,false,false,true]"),
        (OnnxElementType.UInt8, "UINT8", "[0,1,254,255]"),
        (OnnxElementType.UInt16, "UINT16", "[0,1,65534,65535]"),
        (OnnxElementType.UInt32, "UINT32", "[0,1,4294967294,4294967295]"),
        (OnnxElementType.UInt64, "UINT64", "[0,1,18446744073709551614,18446744073709551615]"),
        (OnnxElementType.Int8, "INT8", "[-128,-1,0,127]"),
        (OnnxElementType.Int16, "INT16", "[-32768,-1,0,32767]"),
        (OnnxElementType.Int32, "INT32", "[-2147483648,-1,0,2147483647]"),
        (OnnxElementType.Int64, "INT64", "[-9223372036854775808,-1,0,9223372036854775807]"),
        (OnnxElementType.Float, "FP32", "[-1.5,0,3.4028235E+38,1E-45]"),
        (OnnxElementType.Double, "FP64", "[-1.5,0,1.7976931348623157E+308,5E-324]"),
        (OnnxElementType.String, "BYTES", """["a","","héllo","four"]"""),
        (OnnxElementType.Float16, "FP16", "[1,-2,0.5,65504]"),
        (OnnxElementType.BFloat16, "BF16", "[1,-2,0.5,256]"),
    ];

    private readonly ModelDir _dir = new();
    private TestRuntime _runtime = null!;

    public static TheoryData<string> JsonTypes => [.. Types.Where(t => t.V2 is not ("FP16" or "BF16")).Select(t => t.V2)];

    public static TheoryData<string> AllTypes => [.. Types.Select(t => t.V2)];

    public async Task InitializeAsync()
    {
        foreach (var type in Types)
        {
            _dir.Add($"{type.V2.ToLowerInvariant()}/model.onnx", TestModels.Identity(type.Onnx, "batch", 2));
        }

        _runtime = await TestRuntime.StartAsync(_dir.Path);
    }

    public async Task DisposeAsync()
    {
        await _runtime.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Metadata_reports_the_v2_datatype_of_each_onnx_type()
    {
        foreach (var type in Types)
        {
            var (_, meta) = await _runtime.GetJsonAsync($"/v2/models/{type.V2.ToLowerInvariant()}");
            Assert.Equal(type.V2, (string?)meta!["inputs"]![0]!["datatype"]);
            Assert.Equal(type.V2, (string?)meta["outputs"]![0]!["datatype"]);
        }
    }

    [Theory]
    [MemberData(nameof(JsonTypes))]
    public async Task Json_round_trip(string datatype)
    {
        string data = Types.Single(t => t.V2 == datatype).Json;
        var request = $$"""{"inputs":[{"name":"x","shape":[2,2],"datatype":"{{datatype}}","data":{{data}}}]}""";

        var (status, body) = await _runtime.PostJsonAsync($"/v2/models/{datatype.ToLowerInvariant()}/infer", request);

        Assert.Equal(200, status);
        var output = body!["outputs"]![0]!;
        Assert.Equal(datatype, (string?)output["datatype"]);
        Assert.Equal("[2,2]", output["shape"]!.ToJsonString());
        Assert.Equal(JsonNode.Parse(data)!.ToJsonString(), output["data"]!.ToJsonString());
    }

    [Theory]
    [InlineData("UINT8", "256")]
    [InlineData("UINT8", "-1")]
    [InlineData("INT8", "128")]
    [InlineData("UINT16", "65536")]
    [InlineData("INT32", "2147483648")]
    [InlineData("UINT64", "18446744073709551616")]
    [InlineData("INT64", "1.5")]
    [InlineData("BOOL", "1")]
    [InlineData("BYTES", "7")]
    public async Task Values_outside_the_datatype_are_rejected_by_position(string datatype, string value)
    {
        var request = $$"""{"inputs":[{"name":"x","shape":[1,2],"datatype":"{{datatype}}","data":[{{First(datatype)}},{{value}}]}]}""";

        var (status, body) = await _runtime.PostJsonAsync($"/v2/models/{datatype.ToLowerInvariant()}/infer", request);

        Assert.Equal(400, status);
        Assert.StartsWith($"input 'x': element 1 is not a valid {datatype}: {value}", (string?)body!["error"], StringComparison.Ordinal); // then why
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Binary_round_trip_is_byte_exact(string datatype)
    {
        byte[] raw = RawBytes(datatype);
        string header = $$$"""
            {"inputs":[{"name":"x","shape":[2,2],"datatype":"{{{datatype}}}","parameters":{"binary_data_size":{{{raw.Length}}}}}],
             "parameters":{"binary_data_output":true}}
            """;

        using var response = await _runtime.PostBinaryAsync($"/v2/models/{datatype.ToLowerInvariant()}/infer", header, raw);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        int headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var json = JsonNode.Parse(body.AsSpan(0, headerLength))!;
        var output = json["outputs"]![0]!;
        Assert.Null(output["data"]);
        Assert.Equal(raw.Length, (int)output["parameters"]!["binary_data_size"]!);
        Assert.Equal(raw, body[headerLength..]);
    }

    [Fact]
    public async Task Fp16_outputs_can_be_read_as_json_numbers()
    {
        byte[] raw = RawBytes("FP16");
        string header = $$$"""{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP16","parameters":{"binary_data_size":{{{raw.Length}}}}}]}""";

        using var response = await _runtime.PostBinaryAsync("/v2/models/fp16/infer", header, raw);
        var json = await TestRuntime.ReadJsonAsync(response);

        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("[1,-2,0.5,65504]", json!["outputs"]![0]!["data"]!.ToJsonString());
    }

    [Fact]
    public async Task Per_output_binary_data_overrides_the_request_default()
    {
        using var dir = new ModelDir().Add("pair/model.onnx", TestModels.TwoInputs());
        await using var runtime = await TestRuntime.StartAsync(dir.Path);
        const string Request = """
            {"inputs":[{"name":"a","shape":[1,2],"datatype":"FP32","data":[5,7]},{"name":"b","shape":[1,2],"datatype":"FP32","data":[1,2]}],
             "outputs":[{"name":"sum","parameters":{"binary_data":true}},{"name":"difference"}]}
            """;

        using var content = new StringContent(Request, Encoding.UTF8, "application/json");
        using var response = await runtime.Client.PostAsync("/v2/models/pair/infer", content);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        int headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var json = JsonNode.Parse(body.AsSpan(0, headerLength))!;
        Assert.Equal(8, (int)json["outputs"]![0]!["parameters"]!["binary_data_size"]!);
        Assert.Equal("[4,5]", json["outputs"]![1]!["data"]!.ToJsonString());
        Assert.Equal([6f, 9f], [BinaryPrimitives.ReadSingleLittleEndian(body.AsSpan(headerLength)), BinaryPrimitives.ReadSingleLittleEndian(body.AsSpan(headerLength + 4))]);
    }

    private static string First(string datatype) => datatype switch
    {
        "BYTES" => "\"a\"",
        "BOOL" => "false",
        _ => "0",
    };

    /// <summary>The test values of <paramref name="datatype"/> in the binary extension's layout.</summary>
    private static byte[] RawBytes(string datatype)
    {
        var json = JsonNode.Parse(Types.Single(t => t.V2 == datatype).Json)!.AsArray();
        var bytes = new List<byte>();
        foreach (var node in json)
        {
            switch (datatype)
            {
                case "BOOL": bytes.Add((bool)node! ? (byte)1 : (byte)0); break;
                case "UINT8": bytes.Add((byte)node!); break;
                case "INT8": bytes.Add((byte)(sbyte)node!); break;
                case "UINT16": bytes.AddRange(BitConverter.GetBytes((ushort)node!)); break;
                case "INT16": bytes.AddRange(BitConverter.GetBytes((short)node!)); break;
                case "UINT32": bytes.AddRange(BitConverter.GetBytes((uint)node!)); break;
                case "INT32": bytes.AddRange(BitConverter.GetBytes((int)node!)); break;
                case "UINT64": bytes.AddRange(BitConverter.GetBytes((ulong)node!)); break;
                case "INT64": bytes.AddRange(BitConverter.GetBytes((long)node!)); break;
                case "FP32": bytes.AddRange(BitConverter.GetBytes((float)node!)); break;
                case "FP64": bytes.AddRange(BitConverter.GetBytes((double)node!)); break;
                case "FP16": bytes.AddRange(BitConverter.GetBytes((Half)(float)node!)); break;
                case "BF16": bytes.AddRange(BitConverter.GetBytes((ushort)(BitConverter.SingleToInt32Bits((float)node!) >> 16))); break;
                case "BYTES":
                    byte[] utf8 = Encoding.UTF8.GetBytes((string)node!);
                    bytes.AddRange(BitConverter.GetBytes(utf8.Length));
                    bytes.AddRange(utf8);
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(datatype));
            }
        }

        return [.. bytes];
    }
}
