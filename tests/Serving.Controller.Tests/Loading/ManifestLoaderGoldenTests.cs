using System.Text.Json.Nodes;
using Serving.Controller.Loading;
using Serving.Controller.Tests.Infrastructure;

namespace Serving.Controller.Tests.Loading;

/// <summary>Manifests in, what was loaded (kind, name, document) and every error out.</summary>
public sealed class ManifestLoaderGoldenTests
{
    public static TheoryData<string> Cases => Golden.Cases("Loading");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loads_as_recorded(string name)
    {
        var result = ManifestLoader.Load(File.ReadAllText(Golden.InputPath("Loading", name)), name + ".yaml");

        var objects = new JsonArray();
        foreach (var loaded in result.Objects)
        {
            objects.Add(new JsonObject
            {
                ["document"] = loaded.Document,
                ["kind"] = loaded.Object.Kind,
                ["name"] = loaded.Object.Metadata.Name,
                ["object"] = Golden.ToNode<object>(loaded.Object),
            });
        }

        var errors = new JsonArray();
        foreach (var error in result.Errors)
        {
            errors.Add(new JsonObject { ["problem"] = error.Problem.ToString(), ["error"] = error.ToString() });
        }

        Golden.AssertMatches("Loading", name, new JsonObject { ["objects"] = objects, ["errors"] = errors });
    }
}
