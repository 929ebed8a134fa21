using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Observability;
using Serving.Gateway.Tests.Activation;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Observability;

[Collection(TracingCollection.Name)]
public sealed class ColdStartTraceTests
{
    private const string Host = "iris.default.example.com";
    private const string Revision = "iris-predictor-00001";
    private static readonly TimeSpan Held = TimeSpan.FromMilliseconds(300);

    [Theory]
    [InlineData(ForwarderMode.Direct)]
    [InlineData(ForwarderMode.Yarp)]
    public async Task A_cold_start_is_one_trace_whose_spans_add_up_to_the_latency_the_client_saw(ForwarderMode forwarder)
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(GatewayTracing.SourceName).SetSampler(new ParentBasedSampler(new AlwaysOnSampler())).AddInMemoryExporter(spans).Build();
        await using var gateway = await TestGateway.StartAsync(o => o with { Forwarder = forwarder });
        await using var replica = await TestBackend.StartAsync("r1");
        // A first request warms the client's connection and the gateway's code, so the cold start is the platform's.
        gateway.Catalog.Set(Routes.Revision("warm", "warm-predictor-00001", 0, new EndpointRoute(replica.Address, Ready: true)));
        (await gateway.PostAsync("warm.default.example.com", "/v1/models/warm:predict", "{}")).Response.Dispose();
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0)); // at zero: no replica

        var trace = ActivityTraceId.CreateRandom();
        var caller = ActivitySpanId.CreateRandom();
        var clock = Stopwatch.StartNew();
        var answer = gateway.PostAsync(Host, "/v1/models/iris:predict", "{}", [new("traceparent", $"00-{trace}-{caller}-01")]);
        await ActivatorTests.WaitUntilAsync(() => gateway.Catalog.Held == 1);
        var holding = Stopwatch.StartNew();
        while (holding.Elapsed < Held)
        {
            await Task.Delay(Held - holding.Elapsed + TimeSpan.FromMilliseconds(1)); // a timer may fire a little early (a full run saw 299.2 ms)
        }

        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0, new EndpointRoute(replica.Address, Ready: true)));
        var (status, _, response) = await answer;
        double client = clock.Elapsed.TotalMilliseconds;
        response.Dispose();
        Assert.Equal(200, status);
        tracing.ForceFlush();

        var mine = spans.Where(s => s.TraceId == trace).ToList();
        Assert.Single(spans, s => s.OperationName == "gateway.request" && s.TraceId != trace); // the warm-up: a trace of its own
        var root = Assert.Single(mine, s => s.ParentSpanId == caller); // one trace, one entry: under the caller's span
        Assert.Equal("gateway.request", root.OperationName);
        Assert.Equal(ActivityKind.Server, root.Kind);
        Assert.Equal(true, root.GetTagItem("serving.cold_start"));
        Assert.Equal(Revision, root.GetTagItem("serving.revision"));
        var steps = mine.Where(s => s.ParentSpanId == root.SpanId).OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(["gateway.route", "gateway.activator.wait", "gateway.forward"], steps.Select(s => s.OperationName));
        Assert.Equal(mine.Count, steps.Count + 1);
        var wait = steps[1];
        Assert.Equal("no_ready_replica", wait.GetTagItem("serving.activator.reason"));
        Assert.Equal("served", wait.GetTagItem("serving.activator.outcome"));
        Assert.True(wait.Duration >= Held, $"held {wait.Duration.TotalMilliseconds} ms");

        // The steps follow one another inside the request span (what is left between them is bookkeeping: a few µs,
        // unless a starved machine preempts a thread, so no upper bound is asserted on it).
        var rootEnd = root.StartTimeUtc + root.Duration;
        Assert.All(steps, s => Assert.True(s.StartTimeUtc >= root.StartTimeUtc && s.StartTimeUtc + s.Duration <= rootEnd, $"{s.OperationName} is outside the request span"));
        for (int i = 1; i < steps.Count; i++)
        {
            Assert.True(steps[i].StartTimeUtc >= steps[i - 1].StartTimeUtc + steps[i - 1].Duration, $"{steps[i].OperationName} overlaps {steps[i - 1].OperationName}");
        }

        // The hold is inside the request span (the wait step is), and the client saw at least the request span.
        Assert.True(root.Duration >= Held, $"the request span is {root.Duration.TotalMilliseconds} ms");
        Assert.True(client >= root.Duration.TotalMilliseconds, $"the client saw {client} ms, the request span is {root.Duration.TotalMilliseconds} ms");

        // The replica's parent is the forward span, in the same trace.
        var headers = replica.Headers.Last();
        Assert.Equal($"00-{trace}-{steps[2].SpanId}-01", headers["traceparent"].ToString());
    }

    [Fact]
    public async Task With_tracing_off_no_span_is_made_and_the_callers_trace_context_passes_through()
    {
        Assert.False(GatewayTracing.Source.HasListeners());
        await using var gateway = await TestGateway.StartAsync();
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 0, new EndpointRoute(replica.Address, Ready: true)));
        string traceparent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01";

        var (status, _, response) = await gateway.PostAsync(Host, "/v1/models/iris:predict", "{}", [new("traceparent", traceparent), new("tracestate", "a=1")]);
        response.Dispose();

        Assert.Equal(200, status);
        var headers = Assert.Single(replica.Headers);
        Assert.Equal(traceparent, headers["traceparent"].ToString());
        Assert.Equal("a=1", headers["tracestate"].ToString());
    }

    [Fact]
    public async Task A_request_held_behind_busy_replicas_says_so()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(GatewayTracing.SourceName).AddInMemoryExporter(spans).Build();
        await using var gateway = await TestGateway.StartAsync();
        await using var replica = await TestBackend.StartAsync("r1");
        gateway.Catalog.Set(Routes.Revision("iris", Revision, 1, new EndpointRoute(replica.Address, Ready: true)));
        replica.Hold();
        var first = gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        await ActivatorTests.WaitUntilAsync(() => replica.InFlight == 1);
        var second = gateway.PostAsync(Host, "/v1/models/iris:predict", "{}");
        await ActivatorTests.WaitUntilAsync(() => gateway.Catalog.Held == 1);
        replica.Release();
        (await first).Response.Dispose();
        (await second).Response.Dispose();
        tracing.ForceFlush();

        var wait = Assert.Single(spans, s => s.OperationName == "gateway.activator.wait");
        Assert.Equal("replicas_at_capacity", wait.GetTagItem("serving.activator.reason"));
        Assert.Equal(2, spans.Count(s => s.OperationName == "gateway.request" && s.ParentSpanId == default));
    }
}
