using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Gateway.Graph;
using Serving.Gateway.Hosting;
using Serving.Gateway.Model;
using Serving.Gateway.Routing;
using Serving.LoadTests.Cli;
using Serving.LoadTests.Observation;
using Serving.LoadTests.Reporting;

namespace Serving.LoadTests.Graph;

/// <summary>
/// InferenceGraph overhead, in one process: the gateway (built as the host builds it), in-process Kestrel backends on
/// loopback and a sequential client. A Sequence of two steps is compared with the same two calls made by the client,
/// through the gateway and straight to the backends; an Ensemble of three steps with different delays is compared
/// with its slowest step alone and with the three called one after another. Cells are interleaved over rounds.
/// </summary>
internal sealed class GraphBenchmark(GraphBenchOptions options, Progress progress)
{
    public const string SequenceGraph = "sequence";
    public const string EnsembleGraph = "ensemble";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Read();
        await using var a = await JsonBackend.StartAsync(TimeSpan.Zero);
        await using var b = await JsonBackend.StartAsync(TimeSpan.Zero);
        var slow = new List<JsonBackend>();
        foreach (int delay in options.EnsembleDelaysMs)
        {
            slow.Add(await JsonBackend.StartAsync(TimeSpan.FromMilliseconds(delay)));
        }

        var gateway = GatewayHost.Build(new GatewayOptions { Port = 0, AdminPort = 0, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
        await gateway.StartAsync(cancellationToken);
        try
        {
            var catalog = gateway.Services.GetRequiredService<ServiceCatalog>();
            var graphs = gateway.Services.GetRequiredService<GraphCatalog>();
            Route(catalog, "a", a.Address);
            Route(catalog, "b", b.Address);
            for (int i = 0; i < slow.Count; i++)
            {
                Route(catalog, $"slow{i}", slow[i].Address);
            }

            Require(graphs.Set(Graph(SequenceGraph, RouterTypes.Sequence, [Step("a"), Step("b") with { Data = "$response" }])));
            Require(graphs.Set(Graph(EnsembleGraph, RouterTypes.Ensemble, [.. slow.Select((_, i) => Step($"slow{i}"))])));

            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) });
            var client = new GraphClient(http);
            var inference = gateway.Addresses().Inference;
            Func<CancellationToken, Task> Via(string host, string path = "/v1/models/m:predict") => ct => client.PostAsync(inference, host, path, ct);
            Func<CancellationToken, Task> Direct(JsonBackend backend) => ct => client.PostAsync(new Uri(backend.Address), null, "/v1/models/m:predict", ct);
            Func<CancellationToken, Task> Both(params Func<CancellationToken, Task>[] calls) => async ct =>
            {
                foreach (var call in calls)
                {
                    await call(ct);
                }
            };

            string Host(string name) => HostNames.Service(new ServiceKey("default", name), "example.com");
            var cells = new List<GraphCell>
            {
                new("direct a+b", "client calls backend a, then backend b (no gateway)", Both(Direct(a), Direct(b)), false),
                new("gateway a+b", "client calls isvc a, then isvc b, through the gateway", Both(Via(Host("a")), Via(Host("b"))), false),
                new("graph sequence", "client calls a Sequence graph: a, then b with $response", Via(Host(SequenceGraph), "/"), false),
                new("gateway slowest", $"client calls the slowest Ensemble step ({options.EnsembleDelaysMs.Max()} ms) through the gateway", Via(Host($"slow{options.EnsembleDelaysMs.ToList().IndexOf(options.EnsembleDelaysMs.Max())}")), true),
                new("gateway sum", $"client calls the three Ensemble steps one after another ({string.Join(" + ", options.EnsembleDelaysMs)} ms)", Both([.. slow.Select((_, i) => Via(Host($"slow{i}")))]), true),
                new("graph ensemble", "client calls an Ensemble graph of the three steps", Via(Host(EnsembleGraph), "/"), true),
            };

            var rounds = new List<Dictionary<string, CellStats>>();
            for (int round = 0; round < options.Rounds; round++)
            {
                var results = new Dictionary<string, CellStats>();
                for (int k = 0; k < cells.Count; k++)
                {
                    var cell = cells[(k + round) % cells.Count]; // each round starts one cell later
                    int requests = cell.Ensemble ? options.EnsembleRequests : options.Requests;
                    int warmup = cell.Ensemble ? Math.Min(options.Warmup, 5) : options.Warmup;
                    results[cell.Name] = await GraphClient.MeasureAsync(cell, warmup, requests, cancellationToken);
                    progress.Write($"round {round + 1}/{options.Rounds} {cell.Name}: p50 {results[cell.Name].P50:0} µs");
                }

                rounds.Add(results);
            }

            string report = GraphReport.Render(options, machine, cells, rounds);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.OutputPath))!);
            await File.WriteAllTextAsync(options.OutputPath, report, cancellationToken);
            foreach (string line in GraphReport.TargetLines(options, rounds))
            {
                Console.WriteLine(line);
            }

            Console.WriteLine($"report: {options.OutputPath}");
            return 0;
        }
        finally
        {
            await gateway.StopAsync(CancellationToken.None);
            await gateway.DisposeAsync();
            foreach (var backend in slow)
            {
                await backend.DisposeAsync();
            }
        }
    }

    private static void Route(ServiceCatalog catalog, string name, string address)
    {
        string revision = $"{name}-predictor-00001";
        catalog.Set(new ServiceRoute("default", name, new Dictionary<Component, ComponentRoute>
        {
            [Component.Predictor] = new([new TrafficTarget(revision, 100)], [new RevisionRoute(revision, 0, [new EndpointRoute(address, true)])]),
        }));
    }

    private static InferenceStep Step(string service) => new() { ServiceName = service };

    private static InferenceGraph Graph(string name, string routerType, IReadOnlyList<InferenceStep> steps) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default" },
        Spec = new InferenceGraphSpec
        {
            Nodes = new Dictionary<string, InferenceRouter> { [InferenceGraph.RootNodeName] = new() { RouterType = routerType, Steps = steps } },
        },
    };

    private static void Require(InferenceGraphStatus status)
    {
        var ready = status.Conditions!.Single();
        if (ready.Status != ConditionStatus.True)
        {
            throw new BenchmarkException($"benchmark graph not ready: {ready.Reason}: {ready.Message}");
        }
    }
}
