using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Loading;
using Serving.Gateway.Tests.Infrastructure;

namespace Serving.Gateway.Tests.Graph;

/// <summary>Graphs written as users write them (KServe YAML through the controller's loader), and backends that answer JSON.</summary>
internal static class GraphFixture
{
    public const string GraphHost = "ig.default.example.com";

    public static InferenceGraph Yaml(string yaml)
    {
        var result = ManifestLoader.Load(yaml, "test");
        Assert.Empty(result.Errors);
        return result.InferenceGraphs.Single();
    }

    /// <summary>A graph named <c>ig</c> in <c>default</c> with the given <c>spec</c> body (indented under <c>spec:</c>).</summary>
    public static InferenceGraph Spec(string spec) => Yaml($"""
        apiVersion: serving.kserve.io/v1alpha1
        kind: InferenceGraph
        metadata:
          name: ig
        spec:
        {Indent(spec)}
        """);

    /// <summary>Backends named after services, each routed as a one-revision predictor of that name.</summary>
    public static async Task<Dictionary<string, TestBackend>> ServicesAsync(TestGateway gateway, params string[] names)
    {
        var backends = new Dictionary<string, TestBackend>();
        foreach (string name in names)
        {
            var backend = await TestBackend.StartAsync(name);
            backends[name] = backend;
            gateway.Catalog.Set(Routes.Predictor(name, ($"{name}-predictor-00001", 100, null, [backend])));
        }

        return backends;
    }

    /// <summary>Answers <c>{"&lt;name&gt;": &lt;request body&gt;}</c>: shows what each step received.</summary>
    public static (int, string) Echo(string name, string body) => (200, $$"""{"{{name}}":{{body}}}""");

    public static async Task DisposeAllAsync(IEnumerable<TestBackend> backends)
    {
        foreach (var backend in backends)
        {
            await backend.DisposeAsync();
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for a condition");
            await Task.Delay(10);
        }
    }

    private static string Indent(string text) =>
        string.Join('\n', text.Split('\n').Select(line => "  " + line));
}
