using System.Text.Json.Nodes;
using Serving.TestCluster.Control;
using Serving.TestCluster.Processes;

namespace Serving.Charts.Tests.Infrastructure;

/// <summary>The chart in the repository, and real helm (v4) run on it.</summary>
internal static class Chart
{
    public const string Name = "serving-platform";

    /// <summary><c>charts/serving-platform</c>, found above the test's folder.</summary>
    public static string Path { get; } = Find();

    /// <summary>The repository's root (the folder above <c>charts/</c>).</summary>
    public static string Repository => System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, "..", ".."));

    /// <summary>A values file of the tests' own (<c>Values/NAME</c>).</summary>
    public static string Values(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Values", name);

    /// <summary>helm with a throw-away home and no cluster.</summary>
    public static async Task<CommandResult> HelmAsync(params string[] arguments)
    {
        string home = Directory.CreateTempSubdirectory("serving-charts-").FullName;
        try
        {
            return await KubeTools.HelmAsync(arguments, home);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary><c>helm template</c> of release <c>sp</c> in <c>serving-system</c> with <paramref name="arguments"/> added, as objects.</summary>
    public static async Task<Rendered> TemplateAsync(params string[] arguments)
    {
        var result = (await HelmAsync(["template", "sp", Path, "--namespace", "serving-system", .. arguments])).EnsureSuccess("helm template " + string.Join(' ', arguments));
        return new Rendered(Yaml.Documents(result.StandardOutput));
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "charts", Name);
            if (File.Exists(System.IO.Path.Combine(candidate, "Chart.yaml")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"charts/{Name} not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>What <c>helm template</c> rendered, looked up by kind and name.</summary>
internal sealed record Rendered(IReadOnlyList<JsonObject> Objects)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => (string?)o["metadata"]?["name"] == name)
        ?? throw new InvalidOperationException($"no {kind} {name} rendered; there are: {string.Join(", ", Objects.Select(o => $"{o["kind"]} {o["metadata"]?["name"]}"))}");

    public bool Has(string kind, string name) => OfKind(kind).Any(o => (string?)o["metadata"]?["name"] == name);

    /// <summary>Every Deployment's containers with their Deployment.</summary>
    public IEnumerable<(JsonObject Deployment, JsonObject Container)> Containers() =>
        OfKind("Deployment").SelectMany(d => d["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => (d, c!.AsObject())));

    public static IReadOnlyList<string> Args(JsonObject container) => [.. container["args"]?.AsArray().Select(a => (string)a!) ?? []];

    /// <summary>The value of <c>--name=value</c> among the container's args, or null.</summary>
    public static string? Arg(JsonObject container, string name) =>
        Args(container).FirstOrDefault(a => a.StartsWith($"--{name}=", StringComparison.Ordinal))?[(name.Length + 3)..];
}
