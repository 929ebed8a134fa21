using System.Text;
using System.Text.Json;
using Serving.Controller.Api;
using Serving.Controller.Api.Core;

namespace Serving.Controller.Storage;

/// <summary>
/// The storage-initializer init container's environment for a storage URI, from the Secrets its ServiceAccount links,
/// as KServe's credential builder writes it (<c>pkg/credentials/s3</c>, <c>pkg/credentials/https</c>), so that
/// secrets and annotations written for KServe work unchanged:
/// <list type="bullet">
/// <item><c>s3://</c>: each Secret holding <c>awsSecretAccessKey</c> gives <c>AWS_ACCESS_KEY_ID</c> and
/// <c>AWS_SECRET_ACCESS_KEY</c> as secretKeyRefs (keys <c>awsAccessKeyID</c>, <c>awsSecretAccessKey</c>), and the
/// endpoint, https, region and TLS settings as values, each from the Secret's <c>serving.kserve.io/s3-*</c>
/// annotation or else from the Secret's data key of the variable's own name; a later Secret overrides an earlier one.</item>
/// <item><c>http(s)://</c>: a Secret whose <c>https-host</c> is the URI's host gives <c>&lt;host&gt;-headers</c>. Unlike
/// KServe, as a secretKeyRef to its <c>headers</c> key rather than a copy of the value, so the headers never stand in
/// the Deployment.</item>
/// </list>
/// Other schemes get nothing: credentials only go where they are used. Pure; the Kubernetes backend reads the
/// ServiceAccount and its Secrets and calls this when it builds a revision's Deployment.
/// </summary>
public static class StorageInitializerEnv
{
    public const string AccessKeyIdKey = "awsAccessKeyID";
    public const string SecretAccessKeyKey = "awsSecretAccessKey";
    public const string HttpsHostKey = "https-host";
    public const string HeadersKey = "headers";

    private const string Annotation = ApiGroup.Name + "/";

    // In the order KServe's BuildS3EnvVars appends them; the endpoint is handled on its own (S3_USE_HTTPS, S3_ENDPOINT, AWS_ENDPOINT_URL).
    private static readonly (string Variable, string Annotation)[] S3Settings =
    [
        ("S3_VERIFY_SSL", Annotation + "s3-verifyssl"),
        ("awsAnonymousCredential", Annotation + "s3-useanoncredential"),
        ("AWS_DEFAULT_REGION", Annotation + "s3-region"),
        ("S3_USER_VIRTUAL_BUCKET", Annotation + "s3-usevirtualbucket"),
        ("S3_USE_ACCELERATE", Annotation + "s3-useaccelerate"),
        ("AWS_CA_BUNDLE", Annotation + "s3-cabundle"),
    ];

    public static IReadOnlyList<EnvVar> For(string storageUri, IReadOnlyList<StorageSecret> serviceAccountSecrets)
    {
        var env = new List<EnvVar>();
        if (storageUri.StartsWith("s3://", StringComparison.Ordinal))
        {
            foreach (var secret in serviceAccountSecrets.Where(s => s.Data?.ContainsKey(SecretAccessKeyKey) == true))
            {
                Merge(env, S3(secret));
            }
        }
        else if ((storageUri.StartsWith("https://", StringComparison.Ordinal) || storageUri.StartsWith("http://", StringComparison.Ordinal))
            && Uri.TryCreate(storageUri, UriKind.Absolute, out var uri))
        {
            foreach (var secret in serviceAccountSecrets.Where(s => Data(s, HttpsHostKey) == uri.Host && s.Data!.ContainsKey(HeadersKey)))
            {
                Merge(env, [SecretRef(uri.Host + "-headers", secret.Name, HeadersKey)]);
            }
        }

        return env;
    }

    private static List<EnvVar> S3(StorageSecret secret)
    {
        var env = new List<EnvVar>
        {
            SecretRef("AWS_ACCESS_KEY_ID", secret.Name, AccessKeyIdKey),
            SecretRef("AWS_SECRET_ACCESS_KEY", secret.Name, SecretAccessKeyKey),
        };

        if (Setting(secret, "S3_ENDPOINT", Annotation + "s3-endpoint") is { Length: > 0 } configured)
        {
            // A scheme in the endpoint decides https; otherwise s3-usehttps does, https unless it is "0".
            string endpoint = configured.Trim();
            string? useHttps;
            string url;
            if (endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                (useHttps, url, endpoint) = ("1", endpoint, endpoint[8..]);
            }
            else if (endpoint.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            {
                (useHttps, url, endpoint) = ("0", endpoint, endpoint[7..]);
            }
            else
            {
                useHttps = Setting(secret, "S3_USE_HTTPS", Annotation + "s3-usehttps");
                url = (useHttps == "0" ? "http://" : "https://") + endpoint;
            }

            if (!string.IsNullOrEmpty(useHttps))
            {
                env.Add(Value("S3_USE_HTTPS", useHttps));
            }

            env.Add(Value("S3_ENDPOINT", endpoint));
            env.Add(Value("AWS_ENDPOINT_URL", url));
        }

        foreach (var (variable, annotation) in S3Settings)
        {
            if (Setting(secret, variable, annotation) is { Length: > 0 } value)
            {
                env.Add(Value(variable, value));
            }
        }

        return env;
    }

    /// <summary>KServe's order of precedence: the Secret's annotation, then its data key named as the variable.</summary>
    private static string? Setting(StorageSecret secret, string variable, string annotation) =>
        secret.Annotations is not null && secret.Annotations.TryGetValue(annotation, out string? value) ? value : Data(secret, variable);

    private static string? Data(StorageSecret secret, string key) =>
        secret.Data is not null && secret.Data.TryGetValue(key, out byte[]? bytes) ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>KServe's <c>MergeEnvs</c>: a variable already there is replaced in place, a new one appended.</summary>
    private static void Merge(List<EnvVar> env, IEnumerable<EnvVar> more)
    {
        foreach (var variable in more)
        {
            int existing = env.FindIndex(e => e.Name == variable.Name);
            if (existing >= 0)
            {
                env[existing] = variable;
            }
            else
            {
                env.Add(variable);
            }
        }
    }

    private static EnvVar Value(string name, string value) => new() { Name = name, Value = value };

    private static EnvVar SecretRef(string name, string secret, string key) => new()
    {
        Name = name,
        ValueFrom = JsonSerializer.SerializeToElement(new Dictionary<string, Dictionary<string, string>>
        {
            ["secretKeyRef"] = new() { ["name"] = secret, ["key"] = key },
        }),
    };
}
