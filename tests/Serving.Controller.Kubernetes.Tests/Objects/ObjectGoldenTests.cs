using System.Runtime.CompilerServices;
using System.Text;
using Serving.Controller.Api.V1Beta1;
using Serving.Controller.Kubernetes.Objects;
using Serving.Controller.Loading;
using Serving.Controller.Planning;
using Serving.Controller.RuntimeSelection;

namespace Serving.Controller.Kubernetes.Tests.Objects;

/// <summary>
/// An InferenceService's YAML in (Golden/&lt;case&gt;.yaml, with any ServingRuntimes it needs), its revisions' objects
/// out (Golden/&lt;case&gt;.objects.yaml): what the controller applies, from pure functions. <c>UPDATE_GOLDEN=1</c> rewrites
/// the expected files in the source tree (review the diff before committing).
/// </summary>
public sealed class ObjectGoldenTests
{
    private static readonly ObjectSettings Settings = new("serving-scaler.serving-system.svc:9090");

    public static TheoryData<string> Cases =>
    [
        .. Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Objects", "Golden"), "*.yaml")
            .Where(f => !f.EndsWith(".objects.yaml", StringComparison.Ordinal))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Objects_match(string name)
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "Objects", "Golden", name + ".yaml"));
        Assert.Empty(loaded.Errors);
        var catalog = RuntimeCatalog.From(loaded.Objects.Select(o => Defaulting.ObjectDefaulter.Default(o.Object))).WithDefaultRuntimes();
        var text = new StringBuilder();
        foreach (var isvc in loaded.InferenceServices)
        {
            var admitted = Admission.Admission.Admit(isvc with { Metadata = isvc.Metadata with { Namespace = isvc.Metadata.Namespace ?? "default" } }, catalog);
            Assert.True(admitted.Accepted, string.Join("; ", admitted.Errors));
            var plan = ServicePlanner.Plan(admitted, ObservedService.Nothing, DateTimeOffset.UnixEpoch, new PlannerOptions()).Plan!;
            foreach (var component in plan.Components)
            {
                foreach (var revision in component.Revisions)
                {
                    var source = new RevisionSource((InferenceService)admitted.Object, component.Component, revision, admitted.Selection?.Runtime, plan.DeploymentMode);
                    var objects = RevisionObjects.Make(source, Settings);
                    text.Append("---\n").Append(YamlWriter.Write(objects.Deployment));
                    text.Append("---\n").Append(YamlWriter.Write(objects.Service));
                    if (objects.Scaling.Autoscaler is { } autoscaler)
                    {
                        text.Append("---\n").Append(YamlWriter.Write(autoscaler.Object));
                    }
                }
            }
        }

        string expectedPath = Path.Combine(AppContext.BaseDirectory, "Objects", "Golden", name + ".objects.yaml");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceFolder(), "Golden", name + ".objects.yaml"), text.ToString());
            return;
        }

        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing; run the tests with UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), text.ToString());
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
