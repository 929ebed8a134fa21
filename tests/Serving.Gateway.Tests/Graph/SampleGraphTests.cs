using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Defaulting;
using Serving.Controller.Loading;
using Serving.Controller.Validation;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Graph;

/// <summary>The sample in <c>samples/kserve/</c> loads without errors and runs its shape through the gateway.</summary>
public sealed class SampleGraphTests
{
    private const string Host = "iris-graph.default.example.com";

    [Fact]
    public async Task The_sample_graph_loads_is_ready_with_its_services_and_runs_transform_then_split()
    {
        string samples = Path.Combine(RepoRoot(), "samples", "kserve");
        var loaded = ManifestLoader.LoadFile(Path.Combine(samples, "graph-services.yaml")).Concat(ManifestLoader.LoadFile(Path.Combine(samples, "graph.yaml")));
        Assert.Empty(loaded.Errors);
        var services = loaded.InferenceServices.Select(s => InferenceServiceDefaulter.Default(s)).ToList();
        Assert.Equal(["iris-mm-to-cm", "iris-a", "iris-b"], services.Select(s => s.Metadata.Name));
        Assert.All(services, s => Assert.Empty(InferenceServiceValidator.Validate(s)));

        await using var gateway = await TestGateway.StartAsync(splitterDraw: new CyclingDraw());
        var status = gateway.Graphs.Set(loaded.InferenceGraphs.Single());
        Assert.Equal("ServiceNotFound", status.Conditions!.Single().Reason);

        // Stand-ins for the runtimes: the scaler multiplies by 0.1, the models answer which one they are.
        var backends = new Dictionary<string, TestBackend>();
        foreach (var service in services)
        {
            string name = service.Metadata.Name!;
            var backend = await TestBackend.StartAsync(name);
            backend.Respond = name == "iris-mm-to-cm"
                ? body => (200, new JsonObject { ["predictions"] = new JsonArray([.. JsonNode.Parse(body)!["instances"]!.AsArray().Select(r => (JsonNode)new JsonArray([.. r!.AsArray().Select(v => (JsonNode)((double)v! / 10))]))]) }.ToJsonString())
                : body => (200, new JsonObject { ["model"] = name, ["received"] = JsonNode.Parse(body) }.ToJsonString());
            backends[name] = backend;
            gateway.Catalog.Set(Routes.Predictor(name, ($"{name}-predictor-00001", 100, null, [backend])));
        }

        Assert.Equal(ConditionStatus.True, gateway.Graphs.StatusOf("default", "iris-graph")!.Conditions!.Single().Status);
        var answers = new List<JsonNode>();
        for (int i = 0; i < 100; i++)
        {
            var (code, body, _) = await gateway.PostAsync(Host, "/", """{"instances":[[68,28,48,14]]}""");
            Assert.Equal(200, code);
            answers.Add(JsonNode.Parse(body)!);
        }

        Assert.All(answers, a => Assert.Equal("""{"instances":[[6.8,2.8,4.8,1.4]]}""", a["received"]!.ToJsonString()));
        Assert.Equal(80, answers.Count(a => (string)a["model"]! == "iris-a"));
        Assert.Equal(20, answers.Count(a => (string)a["model"]! == "iris-b"));
        await GraphFixture.DisposeAllAsync(backends.Values);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Gateway.sln above {AppContext.BaseDirectory}.");
    }
}
