using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Serving.Runtime.Storage;

namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>
/// A real s3rver (npm) on a free loopback port, started with <c>scripts/s3rver.sh</c> (which installs it when missing;
/// <c>./test.sh</c> installs it up front). It knows one access key id, <see cref="AccessKey"/>.
/// </summary>
public class S3rver : IAsyncLifetime
{
    public const string AccessKey = "S3RVER";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "serving-tests", "s3rver-" + Guid.NewGuid().ToString("N")[..8]);

    public string Endpoint { get; private set; } = "";

    /// <summary>The PEM certificate the server uses when it serves HTTPS, self-signed for 127.0.0.1.</summary>
    public string Certificate => Path.Combine(_dir, "tls.crt");

    protected virtual bool Tls => false;

    /// <summary>What the storage initializer needs to reach this server with its one key.</summary>
    public Dictionary<string, string> Environment() => new()
    {
        ["AWS_ENDPOINT_URL"] = Endpoint,
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = AccessKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        // Never let the SDK look for instance credentials off this machine.
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    public async Task InitializeAsync()
    {
        if (Tls)
        {
            WriteSelfSignedCertificate();
        }

        Endpoint = (await ScriptAsync("start", TimeSpan.FromMinutes(3))).Trim();
    }

    public async Task DisposeAsync()
    {
        await ScriptAsync("stop", TimeSpan.FromSeconds(30));
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A new bucket holding <paramref name="objects"/> (key, content).</summary>
    public async Task<string> BucketAsync(params (string Key, byte[] Content)[] objects)
    {
        string bucket = "b" + Guid.NewGuid().ToString("N")[..16];
        using var client = Client();
        await client.PutBucketAsync(bucket);
        foreach (var (key, content) in objects)
        {
            await client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(content),
                UseChunkEncoding = false,
            });
        }

        return bucket;
    }

    private AmazonS3Client Client() => new(new BasicAWSCredentials(AccessKey, AccessKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        // s3rver predates the SDK's default checksums.
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        HttpClientFactory = Tls ? new S3TlsHttpClientFactory(verify: true, Certificate) : null,
    });

    private void WriteSelfSignedCertificate()
    {
        Directory.CreateDirectory(_dir);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, false, 0, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllText(Certificate, certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "tls.key"), key.ExportPkcs8PrivateKeyPem());
    }

    private async Task<string> ScriptAsync(string verb, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(RepoPaths.Root, "scripts", "s3rver.sh"), verb, _dir })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"scripts/s3rver.sh {verb} failed ({process.ExitCode}): {await errors}");
    }
}

/// <summary>An s3rver that serves HTTPS with a self-signed certificate (<see cref="S3rver.Certificate"/>).</summary>
public sealed class TlsS3rver : S3rver
{
    protected override bool Tls => true;
}
