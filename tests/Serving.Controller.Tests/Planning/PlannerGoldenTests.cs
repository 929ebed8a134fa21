using System.Text.Json.Nodes;
using Serving.Controller.Admission;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Loading;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;
using Serving.Controller.Tests.Infrastructure;

namespace Serving.Controller.Tests.Planning;

/// <summary>
/// YAML in, plan and status out: each InferenceService is admitted and planned with nothing observed yet
/// (<c>starting</c>), then again with what the first plan made observed ready and its status written (<c>ready</c>).
/// </summary>
public sealed class PlannerGoldenTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static TheoryData<string> Cases => Golden.Cases("Planning");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_and_status_match(string name)
    {
        var loaded = ManifestLoader.LoadFile(Golden.InputPath("Planning", name));
        Assert.Empty(loaded.Errors);
        var catalog = RuntimeCatalog.From(loaded.Objects.Select(o => Serving.Controller.Defaulting.ObjectDefaulter.Default(o.Object))).WithDefaultRuntimes();
        var results = new JsonArray();
        foreach (var isvc in loaded.InferenceServices)
        {
            var admitted = Admission.Admission.Admit(isvc, catalog);
            var starting = ServicePlanner.Plan(admitted, ObservedService.Nothing, Now, new PlannerOptions());
            var made = starting.Plan?.Components
                .SelectMany(c => c.Revisions.Concat(c.Retained).Select(r => new ObservedRevision(c.Component, r, new RevisionObservation(RevisionPhase.Ready, 1))))
                .ToList() ?? [];
            var settled = ServicePlanner.Plan(admitted, new ObservedService(made, starting.Status), Now, new PlannerOptions());
            results.Add(new JsonObject
            {
                ["name"] = isvc.Metadata.Name,
                ["errors"] = Golden.ToNode(admitted.Errors),
                ["starting"] = new JsonObject { ["plan"] = Describe(starting.Plan), ["status"] = Golden.ToNode<InferenceServiceStatus>(starting.Status) },
                ["ready"] = new JsonObject { ["plan"] = Describe(settled.Plan), ["status"] = Golden.ToNode<InferenceServiceStatus>(settled.Status) },
            });
        }

        Golden.AssertMatches("Planning", name, results);
    }

    /// <summary>The plan with each template's fingerprint left out (it repeats the spec).</summary>
    private static JsonNode? Describe(ServicePlan? plan) => plan is null ? null : new JsonObject
    {
        ["namespace"] = plan.Namespace,
        ["name"] = plan.Name,
        ["deploymentMode"] = plan.DeploymentMode,
        ["components"] = new JsonArray(
        [
            .. plan.Components.Select(c => (JsonNode)new JsonObject
            {
                ["component"] = c.Component,
                ["traffic"] = Golden.ToNode(c.Traffic),
                ["retained"] = Golden.ToNode(c.Retained.Select(r => r.Name)),
                ["revisions"] = new JsonArray(
                [
                    .. c.Revisions.Select(r =>
                    {
                        var template = Golden.ToNode(r.Template!)!.AsObject();
                        template.Remove("Fingerprint");
                        return (JsonNode)new JsonObject { ["name"] = r.Name, ["template"] = template };
                    }),
                ]),
            }),
        ]),
    };
}
