using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serving.Models.Onnx;
using Serving.Models.Onnx.Proto;

namespace Serving.Models.Tests.Onnx;

public sealed class OnnxModelBuilderTests
{
    public static TheoryData<OnnxElementType> AllTypes => [.. Enum.GetValues<OnnxElementType>()];

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void Identity_model_loads_with_the_declared_signature(OnnxElementType type)
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", type, "batch", 2L)
            .AddNode("Identity", ["x"], ["y"])
            .AddOutput("y", type, "batch", 2L)
            .Build();

        using var session = new InferenceSession(bytes);

        foreach (var (name, meta) in new[] { ("x", session.InputMetadata), ("y", session.OutputMetadata) })
        {
            var value = Assert.Single(meta);
            Assert.Equal(name, value.Key);
            Assert.True(value.Value.IsTensor);
            Assert.Equal((int)type, (int)value.Value.ElementDataType);
            Assert.Equal([-1, 2], value.Value.Dimensions);
            Assert.Equal("batch", value.Value.SymbolicDimensions[0]);
        }
    }

    [Fact]
    public void Int_and_long_dims_are_both_fixed()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 3, 4L)
            .AddNode("Identity", ["x"], ["y"])
            .AddOutput("y", OnnxElementType.Float, 3, 4L)
            .Build();

        using var session = new InferenceSession(bytes);

        Assert.Equal([3, 4], session.InputMetadata["x"].Dimensions);
    }

    [Fact]
    public void Header_is_opset_17_ir_8_from_serving_models()
    {
        var bytes = new OnnxModelBuilder("g")
            .AddInput("x", OnnxElementType.Float, 1L)
            .AddNode("Identity", ["x"], ["y"])
            .AddOutput("y", OnnxElementType.Float, 1L)
            .AddMetadata("k", "v")
            .Build();

        var model = ModelProto.Parser.ParseFrom(bytes);
        Assert.Equal(8, model.IrVersion);
        Assert.Equal("serving-models", model.ProducerName);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal(("", 17L), (opset.Domain, opset.Version));
        Assert.Equal("g", model.Graph.Name);

        using var session = new InferenceSession(bytes);
        Assert.Equal("serving-models", session.ModelMetadata.ProducerName);
        Assert.Equal("v", session.ModelMetadata.CustomMetadataMap["k"]);
    }

    [Fact]
    public void Same_calls_give_same_bytes()
    {
        static byte[] Build() => new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, "batch", 2L)
            .AddInitializer("w", [1f, 2f], 2)
            .AddNode("Mul", ["x", "w"], ["y"], ("unused", 1L), ("also", new[] { 0.5f }))
            .AddOutput("y", OnnxElementType.Float, "batch", 2L)
            .AddMetadata("k", "v")
            .Build();

        Assert.Equal(Build(), Build());
    }

    [Fact]
    public void Float_initializer_feeds_the_computation()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, "batch", 2L)
            .AddInitializer("w", [2f, -3f], 2)
            .AddNode("Mul", ["x", "w"], ["y"])
            .AddOutput("y", OnnxElementType.Float, "batch", 2L)
            .Build();

        Assert.Equal([2f, -3f, 8f, -15f], OrtRun.Floats(bytes, "x", [1f, 1f, 4f, 5f], [2, 2], "y"));
    }

    [Fact]
    public void Long_initializer_feeds_the_computation()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 2L, 3L)
            .AddInitializer("shape", [3L, 2L], 2)
            .AddNode("Reshape", ["x", "shape"], ["y"])
            .AddOutput("y", OnnxElementType.Float, 3L, 2L)
            .Build();

        using var session = new InferenceSession(bytes);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(new float[6], [2, 3]))]);

        Assert.Equal([3, 2], results.Single().AsTensor<float>().Dimensions.ToArray());
    }

    [Fact]
    public void Every_attribute_kind_reaches_the_runtime()
    {
        // Constant has one attribute per kind; each output shows the value arrived intact.
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 1L)
            .AddNode("Constant", [], ["f"], ("value_float", 0.25f))
            .AddNode("Constant", [], ["i"], ("value_int", 7L))
            .AddNode("Constant", [], ["i32"], ("value_int", 9))
            .AddNode("Constant", [], ["s"], ("value_string", "héllo"))
            .AddNode("Constant", [], ["fs"], ("value_floats", new[] { 1.5f, -2f }))
            .AddNode("Constant", [], ["is"], ("value_ints", new[] { 3L, -4L }))
            .AddNode("Constant", [], ["i32s"], ("value_ints", new[] { 5, 6 }))
            .AddNode("Identity", ["x"], ["y"])
            .AddOutput("f", OnnxElementType.Float)
            .AddOutput("i", OnnxElementType.Int64)
            .AddOutput("i32", OnnxElementType.Int64)
            .AddOutput("s", OnnxElementType.String)
            .AddOutput("fs", OnnxElementType.Float, 2L)
            .AddOutput("is", OnnxElementType.Int64, 2L)
            .AddOutput("i32s", OnnxElementType.Int64, 2L)
            .AddOutput("y", OnnxElementType.Float, 1L)
            .Build();

        using var session = new InferenceSession(bytes);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(new[] { 1f }, [1]))]);
        var byName = results.ToDictionary(r => r.Name);

        Assert.Equal([0.25f], byName["f"].AsTensor<float>().ToArray());
        Assert.Equal([7L], byName["i"].AsTensor<long>().ToArray());
        Assert.Equal([9L], byName["i32"].AsTensor<long>().ToArray());
        Assert.Equal(["héllo"], byName["s"].AsTensor<string>().ToArray());
        Assert.Equal([1.5f, -2f], byName["fs"].AsTensor<float>().ToArray());
        Assert.Equal([3L, -4L], byName["is"].AsTensor<long>().ToArray());
        Assert.Equal([5L, 6L], byName["i32s"].AsTensor<long>().ToArray());
    }

    [Fact]
    public void Zero_valued_attributes_are_kept()
    {
        // keepdims = 0 equals the protobuf default; it must still be written, or ArgMax keeps the axis.
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 2L, 3L)
            .AddNode("ArgMax", ["x"], ["y"], ("axis", 1L), ("keepdims", 0L))
            .AddOutput("y", OnnxElementType.Int64, 2L)
            .Build();

        using var session = new InferenceSession(bytes);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(new[] { 1f, 3f, 2f, 9f, 0f, 1f }, [2, 3]))]);
        var y = results.Single().AsTensor<long>();

        Assert.Equal([2], y.Dimensions.ToArray());
        Assert.Equal([1L, 0L], y.ToArray());
    }

    [Fact]
    public void Runtime_rejects_a_node_reading_an_unknown_value()
    {
        var valid = Chain("x");
        var invalid = Chain("nope");

        using (new InferenceSession(valid))
        {
        }

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(invalid));
        Assert.Contains("nope", error.Message, StringComparison.Ordinal);

        static byte[] Chain(string firstInput) => new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, "batch", 2L)
            .AddNode("Relu", [firstInput], ["h"])
            .AddNode("Neg", ["h"], ["y"])
            .AddOutput("y", OnnxElementType.Float, "batch", 2L)
            .Build();
    }

    [Fact]
    public void Runtime_rejects_an_output_nothing_produces()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 2L)
            .AddNode("Relu", ["x"], ["y"])
            .AddOutput("z", OnnxElementType.Float, 2L)
            .Build();

        Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(bytes));
    }

    [Fact]
    public void Runtime_rejects_mismatched_element_types()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 2L)
            .AddInitializer("w", [1L, 2L], 2)
            .AddNode("Add", ["x", "w"], ["y"])
            .AddOutput("y", OnnxElementType.Float, 2L)
            .Build();

        Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(bytes));
    }

    [Fact]
    public void Runtime_rejects_an_attribute_of_the_wrong_kind()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 2L, 3L)
            .AddNode("Softmax", ["x"], ["y"], ("axis", "last"))
            .AddOutput("y", OnnxElementType.Float, 2L, 3L)
            .Build();

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(bytes));
        Assert.Contains("axis", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runtime_rejects_an_unknown_operator()
    {
        var bytes = new OnnxModelBuilder()
            .AddInput("x", OnnxElementType.Float, 2L)
            .AddNode("NotAnOperator", ["x"], ["y"])
            .AddOutput("y", OnnxElementType.Float, 2L)
            .Build();

        var error = Assert.Throws<OnnxRuntimeException>(() => new InferenceSession(bytes));
        Assert.Contains("NotAnOperator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_arguments_are_refused_before_writing()
    {
        var builder = new OnnxModelBuilder();

        Assert.Throws<ArgumentException>(() => builder.AddInput("x", OnnxElementType.Float, 2.0));
        Assert.Throws<ArgumentException>(() => builder.AddInput("x", OnnxElementType.Float, -1L));
        Assert.Throws<ArgumentException>(() => builder.AddInput("x", OnnxElementType.Float, ""));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddInput("x", (OnnxElementType)14, 1L));
        Assert.Throws<ArgumentException>(() => builder.AddInitializer("w", [1f, 2f, 3f], 2, 2));
        Assert.Throws<ArgumentException>(() => builder.AddInitializer("w", [1L], -1));
        Assert.Throws<ArgumentException>(() => builder.AddNode("Elu", ["x"], ["y"], ("alpha", 0.5)));
        Assert.Throws<ArgumentException>(() => builder.AddNode("Elu", ["x"], ["y"], ("alpha", 0.5f), ("alpha", 1f)));
        Assert.Throws<ArgumentNullException>(() => builder.AddNode("Elu", ["x"], ["y"], ("alpha", null!)));
    }
}
