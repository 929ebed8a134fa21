using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace Serving.Runtime.Storage;

/// <summary>
/// How to reach S3, read from the environment under the names KServe's controller sets from an S3 secret and its
/// <c>serving.kserve.io/s3-*</c> annotations (<c>pkg/credentials/s3</c>), or from a <c>storage:</c> spec's
/// <c>STORAGE_CONFIG</c> JSON. A custom endpoint is addressed path-style (MinIO, Ceph, s3rver) unless
/// <c>S3_USER_VIRTUAL_BUCKET=true</c>.
/// </summary>
internal sealed record S3Settings
{
    /// <summary>The endpoint's full URL; null for AWS itself (the region's endpoint).</summary>
    public Uri? Endpoint { get; init; }

    public string Region { get; init; } = "us-east-1";

    public string? AccessKeyId { get; init; }

    public string? SecretAccessKey { get; init; }

    public string? SessionToken { get; init; }

    /// <summary>Unsigned requests (public buckets): <c>awsAnonymousCredential=true</c>.</summary>
    public bool Anonymous { get; init; }

    public bool VerifySsl { get; init; } = true;

    /// <summary>A PEM file of extra CA certificates to trust (<c>AWS_CA_BUNDLE</c>).</summary>
    public string? CaBundle { get; init; }

    public bool VirtualHostStyle { get; init; }

    public bool Accelerate { get; init; }

    /// <summary>Where messages say the bucket lives.</summary>
    public string Where => Endpoint?.GetLeftPart(UriPartial.Authority) ?? $"AWS S3 ({Region})";

    public static S3Settings FromEnvironment(Func<string, string?> environment)
    {
        var storageConfig = StorageConfig(environment);
        string? Get(string name) =>
            storageConfig.TryGetValue(name, out string? value) ? value : environment(name) is { Length: > 0 } set ? set.Trim() : null;
        bool IsTrue(string name) => string.Equals(Get(name), "true", StringComparison.OrdinalIgnoreCase);

        return new S3Settings
        {
            Endpoint = ParseEndpoint(Get("AWS_ENDPOINT_URL"), Get("S3_ENDPOINT"), Get("S3_USE_HTTPS")),
            Region = Get("AWS_DEFAULT_REGION") ?? Get("AWS_REGION") ?? "us-east-1",
            AccessKeyId = Get("AWS_ACCESS_KEY_ID"),
            SecretAccessKey = Get("AWS_SECRET_ACCESS_KEY"),
            SessionToken = Get("AWS_SESSION_TOKEN"),
            Anonymous = IsTrue("awsAnonymousCredential"),
            VerifySsl = Get("S3_VERIFY_SSL")?.ToLowerInvariant() is not ("0" or "false"),
            CaBundle = Get("AWS_CA_BUNDLE"),
            VirtualHostStyle = IsTrue("S3_USER_VIRTUAL_BUCKET"),
            Accelerate = IsTrue("S3_USE_ACCELERATE"),
        };
    }

    public AmazonS3Client CreateClient(StorageLimits limits)
    {
        var config = new AmazonS3Config
        {
            Timeout = limits.StallTimeout,
            ConnectTimeout = limits.StallTimeout,
            MaxErrorRetry = 2,
            UseAccelerateEndpoint = Accelerate,
        };
        if (Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.AbsoluteUri;
            config.AuthenticationRegion = Region;
            config.ForcePathStyle = !VirtualHostStyle;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }

        if (!VerifySsl || CaBundle is not null)
        {
            config.HttpClientFactory = new S3TlsHttpClientFactory(VerifySsl, CaBundle);
        }

        AWSCredentials? credentials = Anonymous ? new AnonymousAWSCredentials()
            : AccessKeyId is { } id && SecretAccessKey is { } secret
                ? SessionToken is { } token ? new SessionAWSCredentials(id, secret, token) : new BasicAWSCredentials(id, secret)
            : null;
        // No keys: the SDK's own chain (web identity, container or instance credentials).
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    private static Uri? ParseEndpoint(string? endpointUrl, string? endpoint, string? useHttps)
    {
        string? url = endpointUrl
            ?? (endpoint is null ? null
                : endpoint.Contains("://", StringComparison.Ordinal) ? endpoint
                : (useHttps == "0" ? "http://" : "https://") + endpoint);
        if (url is null)
        {
            return null;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new StorageException(StorageFailure.BadConfiguration, $"the S3 endpoint '{url}' (AWS_ENDPOINT_URL or S3_ENDPOINT) is not an http(s) URL");
    }

    /// <summary>
    /// A <c>storage:</c> spec's secret (<c>STORAGE_CONFIG</c>, overlaid by <c>STORAGE_OVERRIDE_CONFIG</c>) of type s3,
    /// mapped to the variables it stands for; those win over the plain environment, as in KServe.
    /// </summary>
    private static Dictionary<string, string> StorageConfig(Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string variable in new[] { "STORAGE_CONFIG", "STORAGE_OVERRIDE_CONFIG" })
        {
            if (environment(variable) is not { Length: > 0 } json)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(json);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    values[property.Name] = property.Value.ValueKind is JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // Never echo the value: it holds credentials.
                throw new StorageException(StorageFailure.BadConfiguration, $"environment variable {variable} must be a JSON object");
            }
        }

        var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
        if (values.GetValueOrDefault("type") != "s3")
        {
            return mapped;
        }

        foreach (var (key, variable) in StorageConfigKeys)
        {
            if (values.TryGetValue(key, out string? value))
            {
                mapped[variable] = value;
            }
        }

        return mapped;
    }

    private static readonly (string Key, string Variable)[] StorageConfigKeys =
    [
        ("endpoint_url", "AWS_ENDPOINT_URL"),
        ("access_key_id", "AWS_ACCESS_KEY_ID"),
        ("secret_access_key", "AWS_SECRET_ACCESS_KEY"),
        ("region", "AWS_DEFAULT_REGION"),
        ("ca_bundle", "AWS_CA_BUNDLE"),
        ("verify_ssl", "S3_VERIFY_SSL"),
        ("anonymous", "awsAnonymousCredential"),
    ];
}
