using System.Net;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>The watched folder: unservable specs and broken files say why, and disturb nothing else.</summary>
public sealed class ManifestFolderTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private const string WalkthroughSklearn = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: sklearn-iris
        spec:
          predictor:
            model:
              modelFormat: {name: sklearn}
              runtime: kserve-mlserver
              storageUri: gs://kfserving-examples/models/sklearn/1.0/model
        """;

    [Fact]
    public async Task The_walkthrough_sklearn_manifest_is_not_ready_with_a_clear_reason_and_starts_nothing()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("sklearn.yaml", WalkthroughSklearn);
        await TestPlatform.WaitUntilAsync(async () => await platform.StatusAsync("sklearn-iris") is not null, Long, "sklearn-iris status");

        var ready = (await platform.StatusAsync("sklearn-iris"))!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Ready")!;
        Assert.Equal("False", ready["status"]!.GetValue<string>());
        Assert.Equal("NoSupportingRuntime", ready["reason"]!.GetValue<string>());
        Assert.Contains("sklearn", ready["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Equal(0, platform.RuntimeProcesses());
        // The service exists but cannot serve: 503 with the reason, not the 404 of an unknown host.
        var (status, body) = await platform.PostV1Async("sklearn-iris");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("NoSupportingRuntime", body!["reason"]!.GetValue<string>());
        Assert.Contains("the installed runtimes serve: onnx", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await platform.PostV1Async("nothing-here")).Status);
        Assert.Contains("NoSupportingRuntime", await platform.TableAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_runtime_added_later_is_selected_for_a_service_that_had_none()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("sklearn.yaml", WalkthroughSklearn.Replace("gs://kfserving-examples/models/sklearn/1.0/model", "file://models/iris", StringComparison.Ordinal));
        await TestPlatform.WaitUntilAsync(async () => await Reason(platform) == "NoSupportingRuntime", Long, "NoSupportingRuntime first");

        // A ServingRuntime that claims sklearn on this platform's runtime image: the service must be reconciled again.
        platform.Write("runtime.yaml", """
            apiVersion: serving.kserve.io/v1alpha1
            kind: ServingRuntime
            metadata: {name: sklearn-on-onnx}
            spec:
              supportedModelFormats: [{name: sklearn, autoSelect: true}]
              protocolVersions: [v1, v2]
              containers:
                - name: kserve-container
                  image: serving-runtime:latest
                  args: ["--model_name={{.Name}}", "--model_dir=/mnt/models", "--http_port=8080"]
            """);
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "sklearn-iris"), Long, "sklearn-iris Ready on the new runtime");
        Assert.Equal("sklearn-on-onnx", (await platform.StatusAsync("sklearn-iris"))!["servingRuntimeName"]!.GetValue<string>());
    }

    private static async Task<string?> Reason(TestPlatform platform) =>
        (await platform.StatusAsync("sklearn-iris"))?["conditions"]?.AsArray()
            .FirstOrDefault(c => c?["type"]?.GetValue<string>() == "Ready")?["reason"]?.GetValue<string>();

    [Fact]
    public async Task A_broken_file_keeps_its_last_good_objects_and_a_deleted_file_removes_its_service()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "iris Ready");

        platform.Write("broken.yaml", "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: [oops\n");
        platform.Write("iris.yaml", "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nspec: : :\n");
        await TestPlatform.WaitUntilAsync(async () => await platform.StatusAsync("iris.yaml", "ManifestFile") is not null, Long, "iris.yaml load error");

        var error = (await platform.StatusAsync("broken.yaml", "ManifestFile"))!["conditions"]![0]!;
        Assert.Equal("False", error["status"]!.GetValue<string>());
        Assert.Contains("broken.yaml", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await platform.PredictV1Async("iris")); // still served from its last good manifest
        Assert.True(await ScaleFromZeroTests.Ready(platform, "iris"));

        platform.Delete("iris.yaml");
        await TestPlatform.WaitUntilAsync(async () => await platform.StatusAsync("iris") is null, Long, "iris gone from status");
        Assert.Equal(HttpStatusCode.NotFound, await platform.PredictV1Async("iris"));
        await TestPlatform.WaitUntilAsync(() => Task.FromResult(platform.RuntimeProcesses() == 0), Long, "iris's runtime stopped");
    }

    [Fact]
    public async Task A_model_that_cannot_load_fails_its_revision_with_the_runtime_s_message()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("missing.yaml", Manifests.Iris("missing", minReplicas: 1).Replace("file://models/iris", "file://models/nowhere", StringComparison.Ordinal));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.ReadyCondition(platform, "missing") == "False", Long, "missing not ready");

        var status = (await platform.StatusAsync("missing"))!;
        Assert.Contains("does not exist", status["modelStatus"]!["lastFailureInfo"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("BlockedByFailedLoad", status["modelStatus"]!["transitionStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_service_in_two_files_is_a_conflict_shown_on_both_and_the_first_keeps_serving()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("a.yaml", Manifests.Iris("iris", minReplicas: 1, version: "1"));
        await TestPlatform.WaitUntilAsync(async () => await ScaleFromZeroTests.Ready(platform, "iris"), Long, "iris Ready");

        platform.Write("b.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2"));
        await TestPlatform.WaitUntilAsync(async () => await platform.StatusAsync("b.yaml", "ManifestFile") is not null, Long, "the conflict shown");

        var first = (await platform.StatusAsync("a.yaml", "ManifestFile"))!["conditions"]![0]!;
        var second = (await platform.StatusAsync("b.yaml", "ManifestFile"))!["conditions"]![0]!;
        Assert.Equal("Conflict", first["reason"]!.GetValue<string>());
        Assert.Contains("also declared in b.yaml", first["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("already declared in a.yaml", second["message"]!.GetValue<string>(), StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Equal("1", (await platform.InferAsync("iris")).Version); // the first file's copy keeps serving
        Assert.Single(platform.Logs, l => l.Contains("already declared in a.yaml", StringComparison.Ordinal));

        platform.Delete("b.yaml");
        await TestPlatform.WaitUntilAsync(async () => await platform.StatusAsync("a.yaml", "ManifestFile") is null, Long, "the conflict resolved");
    }

    [Fact]
    public async Task A_graph_whose_service_is_missing_answers_every_request_503_with_its_reason_until_the_service_comes()
    {
        await using var platform = await TestPlatform.StartAsync();
        platform.Write("graph.yaml", """
            apiVersion: serving.kserve.io/v1alpha1
            kind: InferenceGraph
            metadata:
              name: g
            spec:
              nodes:
                root:
                  routerType: Sequence
                  steps:
                  - serviceName: iris
            """);
        await TestPlatform.WaitUntilAsync(async () => await platform.StatusAsync("g", "InferenceGraph") is not null, Long, "graph status");
        for (int i = 0; i < 10; i++)
        {
            var (status, body) = await platform.PostV1Async("g");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            Assert.Equal("ServiceNotFound", body!["reason"]!.GetValue<string>());
        }

        Assert.NotNull((await platform.StatusAsync("g", "InferenceGraph"))!.Parent!["metadata"]!["creationTimestamp"]);

        platform.Write("iris.yaml", Manifests.Iris("iris", minReplicas: 0));
        await TestPlatform.WaitUntilAsync(async () => (await platform.PostV1Async("g")).Status == HttpStatusCode.OK, Long, "the graph serves");
        Assert.Equal("True", (await platform.StatusAsync("g", "InferenceGraph"))!["conditions"]![0]!["status"]!.GetValue<string>());
    }
}
