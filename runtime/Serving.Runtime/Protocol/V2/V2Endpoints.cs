using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serving.Runtime.Hosting;
using Serving.Runtime.Models;

namespace Serving.Runtime.Protocol.V2;

/// <summary>The Open Inference Protocol (V2) REST endpoints.</summary>
internal sealed class V2Endpoints(ModelRegistry registry, SessionFactory sessions, RuntimeOptions options, RequestRunner runner)
{
    public const string Protocol = "v2";
    public const string ServerName = "serving-runtime";
    public const string Platform = "onnxruntime_onnx";

    private static readonly string ServerVersion =
        typeof(V2Endpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static void Map(IEndpointRouteBuilder app)
    {
        var v2 = app.ServiceProvider.GetRequiredService<V2Endpoints>();
        app.MapGet("/v2/health/live", context => Json(context, 200, w => w.WriteBoolean("live", true)));
        app.MapGet("/v2/health/ready", v2.ServerReady);
        app.MapGet("/v2", v2.ServerMetadata);
        app.MapGet("/v2/models", v2.ModelList);
        app.MapGet("/v2/models/{model}", v2.ModelMetadata);
        app.MapGet("/v2/models/{model}/versions/{version}", v2.ModelMetadata);
        app.MapGet("/v2/models/{model}/ready", v2.ModelReady);
        app.MapGet("/v2/models/{model}/versions/{version}/ready", v2.ModelReady);
        app.MapPost("/v2/models/{model}/infer", v2.Infer);
        app.MapPost("/v2/models/{model}/versions/{version}/infer", v2.Infer);
    }

    internal static async Task Json(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, global::Serving.Runtime.Protocol.Json.JsonOptions.Writer);
        writer.WriteStartObject();
        body(writer);
        writer.WriteEndObject();
        await writer.FlushAsync();
    }

    private static (string Model, string? Version) Target(HttpContext context) =>
        ((string)context.Request.RouteValues["model"]!, context.Request.RouteValues["version"] as string);

    private Task ServerReady(HttpContext context) =>
        Json(context, registry.IsReady ? 200 : 503, w => w.WriteBoolean("ready", registry.IsReady));

    private Task ServerMetadata(HttpContext context) => Json(context, 200, w =>
    {
        w.WriteString("name", ServerName);
        w.WriteString("version", ServerVersion);
        w.WriteStartArray("extensions");
        w.WriteStringValue("binary_tensor_data");
        w.WriteEndArray();
        w.WriteString("device", sessions.Device);
        w.WriteNumber("max_batch_size", options.MaxBatchSize);
    });

    private Task ModelList(HttpContext context) => Json(context, 200, w =>
    {
        w.WriteStartArray("models");
        foreach (string name in registry.Names)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
    });

    private Task ModelMetadata(HttpContext context) => runner.RunAsync(context, Protocol, c =>
    {
        var (name, version) = Target(c);
        var served = registry.FindReady(name, version);
        var model = served.Model!;
        return Json(c, 200, w =>
        {
            w.WriteString("name", name);
            w.WriteStartArray("versions");
            foreach (var v in registry.Versions(name))
            {
                if (v.Version is not null)
                {
                    w.WriteStringValue(v.Version);
                }
            }

            w.WriteEndArray();
            w.WriteString("platform", Platform);
            WriteSpecs(w, "inputs", model.Inputs);
            WriteSpecs(w, "outputs", model.Outputs);
            w.WriteStartObject("parameters");
            w.WriteString("device", model.Device);
            w.WriteBoolean("dynamic_batching", served.Executor is Execution.DynamicBatcher);
            w.WriteBoolean("batch_padding", served.Executor is Execution.DynamicBatcher { Pads: true });
            w.WriteEndObject();
        });
    });

    private Task ModelReady(HttpContext context) => runner.RunAsync(context, Protocol, c =>
    {
        var (name, version) = Target(c);
        var served = registry.Find(name, version);
        bool ready = served.State == ModelState.Ready && !registry.IsDraining;
        return Json(c, ready ? 200 : 503, w =>
        {
            w.WriteString("name", name);
            w.WriteBoolean("ready", ready);
        });
    });

    private Task Infer(HttpContext context) => runner.RunAsync(context, Protocol, async c =>
    {
        var (name, version) = Target(c);
        var served = registry.FindReady(name, version);
        var model = served.Model!;
        using var body = await RequestBody.ReadAsync(c.Request, options.MaxRequestBytes, c.RequestAborted);
        var request = V2RequestReader.Read(body.Memory, RequestBody.HeaderLength(c.Request));
        var inputs = Signature.BindInputs(model, request.Inputs);
        int[] selected = Signature.SelectOutputs(model, request.Outputs?.Select(o => o.Name).ToList());
        var outputs = await served.Executor!.RunAsync(inputs, c.RequestAborted);
        await V2ResponseWriter.WriteAsync(c.Response, name, served.Version, request, outputs, selected);
    });

    private static void WriteSpecs(Utf8JsonWriter w, string property, IReadOnlyList<TensorSpec> specs)
    {
        w.WriteStartArray(property);
        foreach (var spec in specs)
        {
            w.WriteStartObject();
            w.WriteString("name", spec.Name);
            w.WriteString("datatype", Tensors.DataTypes.WireName(spec.DataType));
            w.WriteStartArray("shape");
            foreach (long dim in spec.Shape)
            {
                w.WriteNumberValue(dim);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
