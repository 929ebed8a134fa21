using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serving.Runtime.Hosting;
using Serving.Runtime.Models;
using Serving.Runtime.Protocol.V2;

namespace Serving.Runtime.Protocol.V1;

/// <summary>KServe's V1 REST endpoints.</summary>
internal sealed class V1Endpoints(ModelRegistry registry, RuntimeOptions options, RequestRunner runner)
{
    public const string Protocol = "v1";

    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.ServiceProvider.GetRequiredService<V1Endpoints>();
        app.MapGet("/", context => V2Endpoints.Json(context, 200, w => w.WriteString("status", "alive")));
        app.MapGet("/v1/models", v1.ModelList);
        app.MapGet("/v1/models/{model}", v1.ModelStatus);
        app.MapPost("/v1/models/{model}:predict", v1.Predict);
        app.MapPost("/v1/models/{model}:explain", v1.Explain);
    }

    private Task ModelList(HttpContext context) => V2Endpoints.Json(context, 200, w =>
    {
        w.WriteStartArray("models");
        foreach (string name in registry.Names)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
    });

    private Task Explain(HttpContext context) => runner.RunAsync(context, Protocol, _ =>
        throw new InferenceException(ErrorKind.NotImplemented, "explain is not supported by the ONNX runtime; deploy an explainer component"));

    private Task ModelStatus(HttpContext context) => runner.RunAsync(context, Protocol, c =>
    {
        string name = (string)c.Request.RouteValues["model"]!;
        registry.FindReady(name, null);
        return V2Endpoints.Json(c, 200, w =>
        {
            w.WriteString("name", name);
            w.WriteBoolean("ready", true);
        });
    });

    private Task Predict(HttpContext context) => runner.RunAsync(context, Protocol, async c =>
    {
        string name = (string)c.Request.RouteValues["model"]!;
        var served = registry.FindReady(name, null);
        var model = served.Model!;
        using var body = await RequestBody.ReadAsync(c.Request, options.MaxRequestBytes, c.RequestAborted);
        var inputs = Signature.BindInputs(model, V1Codec.ReadInputs(model, body.Memory));
        var outputs = await served.Executor!.RunAsync(inputs, c.RequestAborted);
        var json = V1Codec.WritePredictions(model, outputs);
        c.Response.ContentType = "application/json";
        c.Response.ContentLength = json.Length;
        await c.Response.Body.WriteAsync(json);
    });
}
