using Serving.Controller.Api;
using Serving.Controller.Api.V1Alpha1;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Defaulting;
using Serving.Controller.RuntimeSelection;
using Serving.Controller.Validation;

namespace Serving.Controller.Admission;

/// <summary>
/// What the API server and KServe's webhooks do to an object before the controller sees it: refuse unknown fields (strict
/// field validation), default, validate (an update against the object it replaces), and for an InferenceService select
/// its runtime. Errors are KServe's messages; the object comes back defaulted either way.
/// </summary>
public static class Admission
{
    public static AdmittedObject Admit(IKubeObject value, RuntimeCatalog catalog, IKubeObject? previous = null, DefaultingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(catalog);
        var unknown = UnknownFields.Find(value);
        var defaulted = ObjectDefaulter.Default(value, options);
        switch (defaulted)
        {
            case InferenceService isvc:
                IReadOnlyList<string> errors = [.. unknown, .. previous is InferenceService old
                    ? InferenceServiceValidator.ValidateUpdate(isvc, old)
                    : InferenceServiceValidator.Validate(isvc)];
                if (errors.Count > 0)
                {
                    return new AdmittedObject(isvc, errors, null);
                }

                var selection = RuntimeSelector.Select(isvc, catalog);
                return new AdmittedObject(RuntimeSelector.Apply(isvc, selection), errors, selection);
            case InferenceGraph graph:
                return new AdmittedObject(graph, [.. unknown, .. InferenceGraphValidator.Validate(graph)], null);
            case IServingRuntime runtime:
                var others = catalog.ServingRuntimes.Cast<IServingRuntime>().Concat(catalog.ClusterServingRuntimes)
                    .Where(r => r.Kind != runtime.Kind || r.Metadata.Name != runtime.Metadata.Name || r.Metadata.Namespace != runtime.Metadata.Namespace);
                return new AdmittedObject(runtime, [.. unknown, .. ServingRuntimeValidator.Validate(runtime, others)], null);
            default:
                return new AdmittedObject(defaulted, unknown, null);
        }
    }
}

/// <summary>An object after admission: <see cref="Errors"/> empty means accepted.</summary>
/// <param name="Selection">For an accepted InferenceService, the runtime selection (which may itself have failed).</param>
public sealed record AdmittedObject(IKubeObject Object, IReadOnlyList<string> Errors, RuntimeSelectionResult? Selection)
{
    public bool Accepted => Errors.Count == 0;
}
