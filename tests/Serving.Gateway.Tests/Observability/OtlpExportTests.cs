using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Serving.Gateway.Model;
using Serving.Gateway.Tests.Infrastructure;
using Serving.Telemetry.Tracing;

namespace Serving.Gateway.Tests.Observability;

[Collection(TracingCollection.Name)]
public sealed class OtlpExportTests
{
    private const string ExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    [Fact]
    public async Task With_an_otlp_endpoint_the_gateways_spans_reach_the_collector()
    {
        int exports = 0;
        long bytes = 0;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2)); // OTLP/gRPC over h2c
        await using var collector = builder.Build();
        collector.MapPost(ExportPath, async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            Interlocked.Add(ref bytes, body.Length);
            Interlocked.Increment(ref exports);
            context.Response.ContentType = "application/grpc";
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(new byte[5]); // an empty ExportTraceServiceResponse
        });
        await collector.StartAsync();
        var endpoint = new Uri(collector.Urls.First());

        var gateway = await TestGateway.StartAsync(o => o with { Tracing = new TracingOptions { OtlpEndpoint = endpoint, ServiceName = "serving-gateway" } });
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Revision("iris", "iris-predictor-00001", 0, new EndpointRoute(replica.Address, Ready: true)));
        var (status, _, response) = await gateway.PostAsync("iris.default.example.com", "/v1/models/iris:predict", "{}");
        response.Dispose();
        Assert.Equal(200, status);

        // The batch goes out on the exporter's schedule (5 s). Waited for with the gateway up: a flush at shutdown has a
        // 5 s grace of its own that a first export on a starved machine (JIT, the h2c connect) can miss.
        await Activation.ActivatorTests.WaitUntilAsync(() => Volatile.Read(ref exports) > 0);

        await gateway.DisposeAsync();
        Assert.True(Interlocked.Read(ref bytes) > 100, $"an export of {bytes} bytes cannot hold the request's spans");
    }
}
