using System.Text.Json.Nodes;
using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Defaulting;
using Serving.Controller.Loading;
using Serving.Controller.RuntimeSelection;
using Serving.Controller.Validation;

namespace Serving.Controller.Tests.Infrastructure;

/// <summary>
/// What the admission path says about a manifest file: load, default, validate, and for valid InferenceServices select
/// a runtime (from the file's own runtimes plus the platform defaults, unless the file has a line
/// <c># golden: without default runtimes</c>). An InferenceService that carries <c>status.deploymentMode</c> is validated
/// as an update of itself, so that the recorded mode is enforced.
/// </summary>
internal static class Pipeline
{
    public const string WithoutDefaultRuntimes = "# golden: without default runtimes";

    public static JsonObject Run(string path)
    {
        string text = File.ReadAllText(path);
        var loaded = ManifestLoader.Load(text, Path.GetFileName(path));
        var defaulted = loaded.Objects.Select(o => ObjectDefaulter.Default(o.Object)).ToList();
        var catalog = RuntimeCatalog.From(defaulted);
        if (!text.Contains(WithoutDefaultRuntimes, StringComparison.Ordinal))
        {
            catalog = catalog.WithDefaultRuntimes();
        }

        var objects = new JsonArray();
        for (int i = 0; i < defaulted.Count; i++)
        {
            objects.Add(Describe(loaded.Objects[i], defaulted[i], defaulted, catalog));
        }

        var result = new JsonObject { ["objects"] = objects };
        if (loaded.Errors.Count > 0)
        {
            result["loadErrors"] = new JsonArray(loaded.Errors.Select(e => (JsonNode)JsonValue.Create(e.ToString())).ToArray());
        }

        return result;
    }

    public static (IReadOnlyList<string> Errors, RuntimeSelectionResult? Selection, IKubeObject Result) Admit(
        LoadedObject original, IKubeObject value, IReadOnlyList<IKubeObject> all, RuntimeCatalog catalog)
    {
        if (value is IServingRuntime runtime)
        {
            // Runtimes are checked against the other runtimes of the same file.
            return (ServingRuntimeValidator.Validate(runtime, all.OfType<IServingRuntime>().Where(r => !ReferenceEquals(r, runtime))), null, runtime);
        }

        var admitted = Serving.Controller.Admission.Admission.Admit(value, catalog, original.Object);
        return (admitted.Errors, admitted.Selection, admitted.Object);
    }

    private static JsonObject Describe(LoadedObject original, IKubeObject value, IReadOnlyList<IKubeObject> all, RuntimeCatalog catalog)
    {
        var (errors, selection, result) = Admit(original, value, all, catalog);
        var node = new JsonObject
        {
            ["document"] = original.Document,
            ["kind"] = value.Kind,
            ["name"] = value.Metadata.Name,
            ["errors"] = new JsonArray(errors.Select(e => (JsonNode)JsonValue.Create(e)).ToArray()),
        };
        if (selection is not null)
        {
            node["runtime"] = Describe(selection);
        }

        node["object"] = Golden.ToNode<object>(result);
        return node;
    }

    private static JsonObject Describe(RuntimeSelectionResult selection) => selection switch
    {
        { Runtime: { } r } => new JsonObject
        {
            ["outcome"] = selection.Outcome.ToString(),
            ["name"] = r.Name,
            ["scope"] = r.Scope.ToString(),
            ["protocolVersion"] = r.ProtocolVersion,
            ["autoSelected"] = r.AutoSelected,
            ["replaces"] = r.Replaces,
        },
        { Failure: { } f } => new JsonObject
        {
            ["outcome"] = selection.Outcome.ToString(),
            ["reason"] = f.Reason,
            ["message"] = f.Message,
            ["error"] = f.Error,
        },
        _ => new JsonObject { ["outcome"] = selection.Outcome.ToString() },
    };
}
