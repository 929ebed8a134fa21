using System.Text;
using Serving.Controller.Api.Core;
using Serving.Controller.Storage;
using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.EndToEnd;

/// <summary>
/// The contract between the controller and the init container: the environment <see cref="StorageInitializerEnv"/>
/// writes from a KServe-style S3 Secret, with its secretKeyRefs resolved as the kubelet would, is what the download
/// mode reads. A Secret with a wrong key ends as the lab's "access denied" line.
/// </summary>
public sealed class ControllerEnvironmentTests(S3rver s3) : IClassFixture<S3rver>, IDisposable
{
    private readonly ModelDir _dir = new();

    [Fact]
    public async Task A_kserve_s3_secret_with_annotations_downloads_and_a_wrong_key_is_denied()
    {
        string bucket = await s3.BucketAsync(("iris/model.onnx", File.ReadAllBytes(Path.Combine(RepoPaths.Iris, "model.onnx"))));
        string uri = $"s3://{bucket}/iris";

        var good = await DownloadAsync(uri, Secret(S3rver.AccessKey), "good");
        var wrong = await DownloadAsync(uri, Secret("AKIAWRONG"), "wrong");

        Assert.Equal((0, 0), (good.Code, good.Errors.Count));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "good", "model.onnx")));
        Assert.Equal(1, wrong.Code);
        Assert.StartsWith($"storage-initializer: {uri}: access denied by http://{new Uri(s3.Endpoint).Authority} (InvalidAccessKeyId: ", Assert.Single(wrong.Errors));
    }

    public void Dispose() => _dir.Dispose();

    private StorageSecret Secret(string accessKey) => new(
        "s3creds",
        new Dictionary<string, string>
        {
            ["serving.kserve.io/s3-endpoint"] = new Uri(s3.Endpoint).Authority,
            ["serving.kserve.io/s3-usehttps"] = "0",
            ["serving.kserve.io/s3-region"] = "us-east-1",
        },
        new Dictionary<string, byte[]>
        {
            [StorageInitializerEnv.AccessKeyIdKey] = Encoding.UTF8.GetBytes(accessKey),
            [StorageInitializerEnv.SecretAccessKeyKey] = Encoding.UTF8.GetBytes(S3rver.AccessKey),
        });

    private Task<(int Code, IReadOnlyList<string> Errors)> DownloadAsync(string uri, StorageSecret secret, string dest)
    {
        var environment = new Dictionary<string, string>
        {
            // The machine's own AWS settings must not leak in; what the pod would not have is blanked.
            ["AWS_ENDPOINT_URL"] = "",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
        foreach (var variable in StorageInitializerEnv.For(uri, [secret]))
        {
            environment[variable.Name] = variable.Value ?? Resolve(variable, secret);
        }

        return RuntimeProcess.RunAsync(environment, "storage-initializer", uri, Path.Combine(_dir.Path, dest));
    }

    /// <summary>A secretKeyRef to <paramref name="secret"/>, read as the kubelet does.</summary>
    private static string Resolve(EnvVar variable, StorageSecret secret)
    {
        var reference = variable.ValueFrom!.Value.GetProperty("secretKeyRef");
        Assert.Equal(secret.Name, reference.GetProperty("name").GetString());
        return Encoding.UTF8.GetString(secret.Data![reference.GetProperty("key").GetString()!]);
    }
}
