using System.Text.Json.Nodes;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Kubernetes.Objects;
using Serving.Controller.Loading;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Kubernetes.Tests.Objects;

/// <summary>The golden inputs (Golden/&lt;case&gt;.yaml) and the objects the controller's pure builders make of them.</summary>
internal static class GoldenCases
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "Objects", "Golden");

    public static IEnumerable<string> Names =>
        Directory.EnumerateFiles(Folder, "*.yaml")
            .Where(f => !f.EndsWith(".objects.yaml", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Order(StringComparer.Ordinal);

    /// <summary>Each InferenceService's, then each InferenceGraph's ExternalName Service <c>{name}</c> (its cluster-local name), in the case's order.</summary>
    public static IReadOnlyList<JsonObject> Addresses(string name, ObjectSettings settings)
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine(Folder, name + ".yaml"));
        Assert.Empty(loaded.Errors);
        return
        [
            .. loaded.InferenceServices.Select(isvc => AddressServiceBuilder.Make(isvc, settings)),
            .. loaded.InferenceGraphs.Select(ig => AddressServiceBuilder.Make(ig, settings)),
        ];
    }

    /// <summary>Cases built with controller options of their own, on top of the settings every case gets.</summary>
    private static readonly Dictionary<string, Func<ObjectSettings, ObjectSettings>> Options = new(StringComparer.Ordinal)
    {
        // --scaler-tls true --scaler-trigger-authentication ClusterTriggerAuthentication/serving-scaler-tls
        ["serverless-scaler-tls"] = s => s with
        {
            ScalerTls = true,
            ScalerAuthentication = new TriggerAuthenticationRef(TriggerAuthenticationRef.ClusterScoped, "serving-scaler-tls"),
        },
    };

    /// <summary>Every revision's objects, in the order of the case's InferenceServices, components and revisions.</summary>
    public static IReadOnlyList<RevisionObjects> Objects(string name, ObjectSettings settings)
    {
        settings = Options.TryGetValue(name, out var options) ? options(settings) : settings;
        var loaded = ManifestLoader.LoadFile(Path.Combine(Folder, name + ".yaml"));
        Assert.Empty(loaded.Errors);
        var catalog = RuntimeCatalog.From(loaded.Objects.Select(o => Defaulting.ObjectDefaulter.Default(o.Object))).WithDefaultRuntimes();
        var objects = new List<RevisionObjects>();
        foreach (var isvc in loaded.InferenceServices)
        {
            var admitted = Admission.Admission.Admit(isvc with { Metadata = isvc.Metadata with { Namespace = isvc.Metadata.NamespaceOrDefault() } }, catalog);
            Assert.True(admitted.Accepted, string.Join("; ", admitted.Errors));
            var plan = ServicePlanner.Plan(admitted, ObservedService.Nothing, DateTimeOffset.UnixEpoch, new PlannerOptions()).Plan!;
            foreach (var component in plan.Components)
            {
                foreach (var revision in component.Revisions)
                {
                    var source = new RevisionSource((InferenceService)admitted.Object, component.Component, revision, admitted.Selection?.Runtime, plan.DeploymentMode);
                    objects.Add(RevisionObjects.Make(source, settings));
                }
            }
        }

        return objects;
    }
}
