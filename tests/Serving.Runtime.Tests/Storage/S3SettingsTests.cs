using Serving.Runtime.Storage;

namespace Serving.Runtime.Tests.Storage;

/// <summary>The S3 environment as KServe's controller writes it from a secret and its annotations.</summary>
public sealed class S3SettingsTests
{
    [Fact]
    public void Nothing_set_means_aws_itself_with_the_sdk_credential_chain()
    {
        var settings = Read();

        Assert.Equal((null, "us-east-1", null, false, true), (settings.Endpoint, settings.Region, settings.AccessKeyId, settings.Anonymous, settings.VerifySsl));
        Assert.Equal("AWS S3 (us-east-1)", settings.Where);
    }

    [Theory]
    [InlineData("minio.local:9000", null, "https://minio.local:9000/")]
    [InlineData("minio.local:9000", "0", "http://minio.local:9000/")]
    [InlineData("minio.local:9000", "1", "https://minio.local:9000/")]
    [InlineData("http://minio.local:9000", "1", "http://minio.local:9000/")]
    public void S3_endpoint_takes_its_scheme_from_s3_use_https(string endpoint, string? useHttps, string expected)
    {
        var settings = Read(("S3_ENDPOINT", endpoint), ("S3_USE_HTTPS", useHttps));

        Assert.Equal(expected, settings.Endpoint!.AbsoluteUri);
    }

    [Fact]
    public void Aws_endpoint_url_wins_and_keys_region_and_flags_are_read()
    {
        var settings = Read(
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9000"),
            ("S3_ENDPOINT", "ignored:1"),
            ("AWS_ACCESS_KEY_ID", "id"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("S3_VERIFY_SSL", "0"),
            ("awsAnonymousCredential", "True"),
            ("S3_USER_VIRTUAL_BUCKET", "true"));

        Assert.Equal("http://127.0.0.1:9000/", settings.Endpoint!.AbsoluteUri);
        Assert.Equal(("id", "secret", "eu-west-1"), (settings.AccessKeyId, settings.SecretAccessKey, settings.Region));
        Assert.Equal((false, true, true), (settings.VerifySsl, settings.Anonymous, settings.VirtualHostStyle));
        Assert.Equal("http://127.0.0.1:9000", settings.Where);
    }

    [Fact]
    public void A_storage_config_of_type_s3_wins_over_the_plain_environment()
    {
        var settings = Read(
            ("AWS_ACCESS_KEY_ID", "env-id"),
            ("STORAGE_CONFIG", """{"type":"s3","access_key_id":"spec-id","secret_access_key":"spec-secret","endpoint_url":"http://s3.local:9000","region":"us-west-2"}"""),
            ("STORAGE_OVERRIDE_CONFIG", """{"region":"ap-south-1"}"""));

        Assert.Equal(("spec-id", "spec-secret", "ap-south-1"), (settings.AccessKeyId, settings.SecretAccessKey, settings.Region));
        Assert.Equal("http://s3.local:9000/", settings.Endpoint!.AbsoluteUri);
    }

    [Fact]
    public void Bad_configuration_is_named_without_echoing_secrets()
    {
        var json = Assert.Throws<StorageException>(() => Read(("STORAGE_CONFIG", "{\"secret_access_key\": oops")));
        var endpoint = Assert.Throws<StorageException>(() => Read(("AWS_ENDPOINT_URL", "ftp://host")));

        Assert.Equal("environment variable STORAGE_CONFIG must be a JSON object", json.Message);
        Assert.Equal("the S3 endpoint 'ftp://host' (AWS_ENDPOINT_URL or S3_ENDPOINT) is not an http(s) URL", endpoint.Message);
    }

    private static S3Settings Read(params (string Name, string? Value)[] variables)
    {
        var environment = variables.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => v.Value!);
        return S3Settings.FromEnvironment(name => environment.GetValueOrDefault(name));
    }
}
