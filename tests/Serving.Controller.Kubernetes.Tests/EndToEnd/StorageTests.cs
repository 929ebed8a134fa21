using System.Diagnostics;
using System.Text.Json.Nodes;
using Serving.Controller.Kubernetes.Tests.Infrastructure;

namespace Serving.Controller.Kubernetes.Tests.EndToEnd;

/// <summary>
/// A model on S3 (a real s3rver on loopback), credentials as KServe's users keep them: a Secret with
/// <c>awsAccessKeyID</c>/<c>awsSecretAccessKey</c> and <c>serving.kserve.io/s3-*</c> annotations, linked from the
/// ServiceAccount the predictor names. The controller reads both by name and gives the storage initializer (an init
/// container of the revision's pod, the runtime's download mode) secretKeyRefs; the node agent resolves them as a
/// kubelet would.
/// </summary>
[Collection(ServingClusterCollection.Name)]
public sealed class StorageTests(ServingCluster cluster) : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "serving-tests", "k8s-s3rver-" + Guid.NewGuid().ToString("N")[..8]);
    private Uri _endpoint = null!;

    public async Task InitializeAsync()
    {
        _endpoint = new Uri((await S3rverAsync("start")).Trim());

        // s3rver takes anonymous writes; the initializer's reads carry the Secret's key, which s3rver checks.
        using var http = new HttpClient();
        (await http.PutAsync(new Uri(_endpoint, "/models"), null)).EnsureSuccessStatusCode();
        var model = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Root, "samples", "models", "iris", "model.onnx"));
        (await http.PutAsync(new Uri(_endpoint, "/models/iris/model.onnx"), new ByteArrayContent(model))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await S3rverAsync("stop");
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_model_on_s3_downloads_with_the_service_account_s_secret_and_a_wrong_key_is_named_in_the_status()
    {
        string ns = await cluster.NamespaceAsync("s3");
        await cluster.ApplyAsync(ns, Credentials("good", "S3RVER") + "\n---\n" + Credentials("bad", "NOT-A-KEY"));
        await cluster.ApplyAsync(ns, Service("iris", "good") + "\n---\n" + Service("denied", "bad"));

        var ready = await cluster.WaitForServiceAsync(ns, "iris", s => ServingCluster.Condition(s, "Ready") == "True", "iris Ready from s3");
        Assert.Equal(["iris-predictor-00001:100"], ServingCluster.Traffic(ready["status"]!.AsObject()));
        var pod = (await cluster.ListAsync(ns, "pods", "serving.kserve.io/revision=iris-predictor-00001")).Single()!;
        using var http = new HttpClient();
        var answer = await http.PostAsync(new Uri($"http://{pod["status"]!["podIP"]!.GetValue<string>()}:8080/v1/models/iris:predict"), new StringContent("""{"instances":[[6.8,2.8,4.8,1.4]]}"""));
        Assert.Equal("""{"predictions":[1]}""", await answer.Content.ReadAsStringAsync());

        // The Deployment carries references to the Secret, never its values.
        var deployment = (await cluster.GetAsync(ns, "deployment", "iris-predictor-00001"))!;
        string initializer = deployment["spec"]!["template"]!["spec"]!["initContainers"]![0]!.ToJsonString();
        Assert.Contains("\"secretKeyRef\":{\"key\":\"awsSecretAccessKey\",\"name\":\"good\"}", initializer, StringComparison.Ordinal);
        Assert.Contains($"\"name\":\"AWS_ENDPOINT_URL\",\"value\":\"http://{_endpoint.Authority}\"", initializer, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", initializer, StringComparison.Ordinal);

        var denied = await cluster.WaitForServiceAsync(
            ns, "denied", s => ServingCluster.Condition(s, "Ready") == "False" && s.ToJsonString().Contains("InvalidAccessKeyId", StringComparison.Ordinal),
            "the wrong key named in the status");
        string message = ServingCluster.Condition(denied["status"]!.AsObject(), "Ready", "message") ?? "";
        Assert.Contains("access denied", message, StringComparison.Ordinal);
        Assert.Contains("init container storage-initializer", message, StringComparison.Ordinal);
    }

    private string Credentials(string name, string key) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: {name}
          annotations:
            serving.kserve.io/s3-endpoint: {_endpoint.Authority}
            serving.kserve.io/s3-usehttps: "0"
            serving.kserve.io/s3-region: us-east-1
        type: Opaque
        stringData:
          awsAccessKeyID: {key}
          awsSecretAccessKey: {key}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: {name}
        secrets:
        - name: {name}
        """;

    private static string Service(string name, string account) => $"""
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: {name}
          annotations:
            serving.kserve.io/deploymentMode: RawDeployment
        spec:
          predictor:
            serviceAccountName: {account}
            model:
              modelFormat:
                name: onnx
              storageUri: s3://models/iris
        """;

    private async Task<string> S3rverAsync(string verb)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(RepoPaths.Root, "scripts", "s3rver.sh"), verb, _dir })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"scripts/s3rver.sh {verb} failed ({process.ExitCode}): {await errors}");
    }
}
