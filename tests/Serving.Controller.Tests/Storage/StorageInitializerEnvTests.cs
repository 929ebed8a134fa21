using System.Text;
using Serving.Controller.Api;
using Serving.Controller.Storage;

namespace Serving.Controller.Tests.Storage;

/// <summary>The init container's environment from the ServiceAccount's Secrets, as KServe's credential builder writes it.</summary>
public sealed class StorageInitializerEnvTests
{
    private static readonly Dictionary<string, byte[]> Keys = new()
    {
        ["awsAccessKeyID"] = "AKIA"u8.ToArray(),
        ["awsSecretAccessKey"] = "secret"u8.ToArray(),
    };

    [Fact]
    public void An_s3_secret_gives_key_refs_and_its_annotations_as_values()
    {
        var secret = new StorageSecret("s3creds", new Dictionary<string, string>
        {
            ["serving.kserve.io/s3-endpoint"] = "minio.models.svc:9000",
            ["serving.kserve.io/s3-usehttps"] = "0",
            ["serving.kserve.io/s3-region"] = "us-west-2",
            ["serving.kserve.io/s3-verifyssl"] = "0",
            ["serving.kserve.io/s3-useanoncredential"] = "false",
        }, Keys);

        var env = StorageInitializerEnv.For("s3://models/iris", [secret]);

        Assert.Equal(
            """
            [
              {"name":"AWS_ACCESS_KEY_ID","valueFrom":{"secretKeyRef":{"name":"s3creds","key":"awsAccessKeyID"}}},
              {"name":"AWS_SECRET_ACCESS_KEY","valueFrom":{"secretKeyRef":{"name":"s3creds","key":"awsSecretAccessKey"}}},
              {"name":"S3_USE_HTTPS","value":"0"},
              {"name":"S3_ENDPOINT","value":"minio.models.svc:9000"},
              {"name":"AWS_ENDPOINT_URL","value":"http://minio.models.svc:9000"},
              {"name":"S3_VERIFY_SSL","value":"0"},
              {"name":"awsAnonymousCredential","value":"false"},
              {"name":"AWS_DEFAULT_REGION","value":"us-west-2"}
            ]
            """,
            Json(env));
    }

    [Theory]
    [InlineData("https://s3.example.test", "0", "1", "s3.example.test", "https://s3.example.test")]
    [InlineData("http://s3.example.test:9000", "1", "0", "s3.example.test:9000", "http://s3.example.test:9000")]
    [InlineData("s3.example.test", null, null, "s3.example.test", "https://s3.example.test")]
    public void A_scheme_in_the_endpoint_decides_https(string endpoint, string? useHttps, string? expectedUseHttps, string expectedEndpoint, string expectedUrl)
    {
        var annotations = new Dictionary<string, string> { ["serving.kserve.io/s3-endpoint"] = endpoint };
        if (useHttps is not null)
        {
            annotations["serving.kserve.io/s3-usehttps"] = useHttps;
        }

        var env = StorageInitializerEnv.For("s3://b/k", [new StorageSecret("s", annotations, Keys)]).ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal(expectedUseHttps, env.GetValueOrDefault("S3_USE_HTTPS"));
        Assert.Equal(expectedEndpoint, env["S3_ENDPOINT"]);
        Assert.Equal(expectedUrl, env["AWS_ENDPOINT_URL"]);
    }

    [Fact]
    public void Settings_may_live_in_the_secrets_data_and_an_annotation_wins_over_it()
    {
        var data = new Dictionary<string, byte[]>(Keys)
        {
            ["S3_ENDPOINT"] = "data.example.test"u8.ToArray(),
            ["AWS_DEFAULT_REGION"] = "eu-central-1"u8.ToArray(),
        };
        var secret = new StorageSecret("s", new Dictionary<string, string> { ["serving.kserve.io/s3-region"] = "us-east-2" }, data);

        var env = StorageInitializerEnv.For("s3://b/k", [secret]).ToDictionary(e => e.Name, e => e.Value);

        Assert.Equal("data.example.test", env["S3_ENDPOINT"]);
        Assert.Equal("us-east-2", env["AWS_DEFAULT_REGION"]);
    }

    [Fact]
    public void Secrets_without_s3_keys_are_skipped_and_a_later_s3_secret_overrides()
    {
        var registry = new StorageSecret("registry", null, new Dictionary<string, byte[]> { [".dockerconfigjson"] = "{}"u8.ToArray() });
        var first = new StorageSecret("first", new Dictionary<string, string> { ["serving.kserve.io/s3-region"] = "us-east-1" }, Keys);
        var second = new StorageSecret("second", new Dictionary<string, string> { ["serving.kserve.io/s3-region"] = "ap-south-1" }, Keys);

        var env = StorageInitializerEnv.For("s3://b/k", [registry, first, second]);

        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"], env.Select(e => e.Name));
        Assert.Contains("\"name\":\"second\"", Json(env), StringComparison.Ordinal);
        Assert.Equal("ap-south-1", env[2].Value);
    }

    [Fact]
    public void An_http_uri_gets_its_hosts_headers_as_a_secret_ref_and_no_s3_keys()
    {
        var headers = new StorageSecret("model-host", null, new Dictionary<string, byte[]>
        {
            ["https-host"] = Encoding.UTF8.GetBytes("models.example.test"),
            ["headers"] = """{"Authorization":"Bearer t"}"""u8.ToArray(),
        });
        var other = new StorageSecret("other-host", null, new Dictionary<string, byte[]>
        {
            ["https-host"] = "elsewhere.test"u8.ToArray(),
            ["headers"] = "{}"u8.ToArray(),
        });
        var s3 = new StorageSecret("s3creds", null, Keys);

        var env = StorageInitializerEnv.For("https://models.example.test/iris/model.onnx", [headers, other, s3]);

        Assert.Equal(
            """
            [
              {"name":"models.example.test-headers","valueFrom":{"secretKeyRef":{"name":"model-host","key":"headers"}}}
            ]
            """,
            Json(env));
    }

    [Theory]
    [InlineData("pvc://claim/models")]
    [InlineData("/mnt/data/models")]
    [InlineData("gs://bucket/models")]
    public void Other_schemes_get_no_credentials(string uri)
    {
        Assert.Empty(StorageInitializerEnv.For(uri, [new StorageSecret("s3creds", null, Keys)]));
    }

    /// <summary>One variable a line, as the expected values are written.</summary>
    private static string Json(IReadOnlyList<Api.Core.EnvVar> env) =>
        "[\n  " + string.Join(",\n  ", env.Select(e => KubeJson.Serialize(e))) + "\n]";
}
